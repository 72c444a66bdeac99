package dev.sluice.bucket;

import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyTemplateTest {

    private static final ZonedDateTime CYCLE = ZonedDateTime.of(2025, 6, 19, 12, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void aGfsTemplateExpandsToAPrefixAndAnExactPattern() {
        KeyTemplate gfs = new KeyTemplate("gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}");
        KeyTemplate.Listing listing = gfs.expand(CYCLE, Map.of("fff", "003"));
        assertEquals("gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003", listing.prefix());
        assertTrue(listing.pattern().matcher("gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003").matches());
        assertFalse(listing.pattern().matcher("gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003.idx").matches());
        assertEquals(Map.of("yyyy", "2025", "mm", "06", "dd", "19", "HH", "12", "fff", "003"),
                gfs.parse("gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003"));
    }

    @Test
    void freeVariablesEndThePrefixAndAreReadBackFromTheFileName() {
        KeyTemplate goes = new KeyTemplate("ABI-L2-CMIPC/{yyyy}/{ddd}/{HH}/OR_ABI-L2-CMIPC-M6C{band}_G19_s{yyyy}{ddd}{HH}{MM}{SS}{t}_e*_c*.nc");
        KeyTemplate.Listing listing = goes.expand(CYCLE, Map.of("band", "13"));
        assertEquals("ABI-L2-CMIPC/2025/170/12/OR_ABI-L2-CMIPC-M6C13_G19_s202517012", listing.prefix());
        String key = "ABI-L2-CMIPC/2025/170/12/OR_ABI-L2-CMIPC-M6C13_G19_s20251701201171_e20251701203544_c20251701204029.nc";
        assertTrue(listing.pattern().matcher(key).matches());
        Map<String, String> values = goes.parse(key);
        assertEquals("01", values.get("MM"));
        assertEquals("17", values.get("SS"));
        assertEquals("13", values.get("band"));
        assertNull(goes.parse("ABI-L2-CMIPC/2025/170/12/README.txt"));
    }

    private static final org.eclipse.microprofile.config.Config CONFIG = new io.smallrye.config.SmallRyeConfigBuilder().build();

    @Test
    void aDeclarationOfTheOldFormatShouldBecomeTheRouteFileThatReplacesIt() throws Exception {
        com.fasterxml.jackson.databind.JsonNode old = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree("""
                type: bucket
                name: old-gfs
                bucket: noaa-gfs-bdp-pds
                schedule: "0 * * * *"
                period: 6h
                keys: ["gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}"]
                parameters: ["TMP:2 m above ground", "APCP:surface"]
                """);
        String file = BucketSourceDeclarations.routeFile(old);
        // the route file's parameters bind into the same source, its schedule in the cron component's form
        com.fasterxml.jackson.databind.JsonNode route = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(file).get(0).path("route");
        assertEquals("kamelet:sluice-bucket-source/old-gfs-poll", route.path("from").path("uri").asText());
        java.util.Map<String, Object> parameters = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(route.path("from").path("parameters"),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() { });
        BucketSource source = BucketSourceDeclarations.fromParameters(parameters, "route old-gfs-poll", CONFIG);
        assertEquals("0 0 * * * ?", source.schedule());
        assertEquals(List.of("TMP:2 m above ground", "APCP:surface"), source.parameters());
        assertEquals("noaa-gfs-bdp-pds", source.bucket());
    }

    @Test
    void sourcesEnumerateForecastHoursBandsAndProducts() {
        // as a route file gives them to the sluice-bucket-source Kamelet
        BucketSource source = BucketSourceDeclarations.fromParameters(java.util.Map.of(
                "source", "s", "bucket", "b", "schedule", "0 0 * * * ?", "period", "6h", "availabilityDelay", "4h",
                "lookBack", "12h", "keys", "gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}", "forecastHours", "0-12/6,24",
                "parameters", "TMP:2 m above ground, APCP:surface"), "route s-poll", CONFIG);
        assertEquals(List.of("TMP:2 m above ground", "APCP:surface"), source.parameters());
        assertEquals(List.of(0, 6, 12, 24), source.forecastHours());
        assertEquals(4, source.enumerations(source.keys().get(0)).size());
        // at 18:30 with a 4 h delay and 12 h look-back: the cycles 00 and 06 and 12 of that day
        List<ZonedDateTime> due = source.periodsDue(CYCLE.withHour(18).withMinute(30).toInstant());
        assertEquals(List.of(CYCLE.withHour(0), CYCLE.withHour(6), CYCLE.withHour(12)), due);
    }

    @Test
    void mistakesInADefinitionAreReported() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KeyTemplate("a/{nope}/b")).getMessage().contains("{nope}"));
        IllegalArgumentException schedule = assertThrows(IllegalArgumentException.class, () -> BucketSourceDeclarations.fromParameters(
                java.util.Map.of("source", "s", "bucket", "b", "schedule", "0 * * * *", "keys", "x"), "route s-poll", CONFIG));
        assertTrue(schedule.getMessage().contains("route s-poll") && schedule.getMessage().contains("0 */2 * * * ?"), schedule.getMessage());
        IllegalArgumentException period = assertThrows(IllegalArgumentException.class, () -> BucketSourceDeclarations.fromParameters(
                java.util.Map.of("source", "s", "bucket", "b", "schedule", "0 0 * * * ?", "keys", "x", "lookBack", "ten minutes"), "route s-poll", CONFIG));
        assertTrue(period.getMessage().contains("lookBack"), period.getMessage());
    }

    @Test
    void cronSchedulesGainASecondsFieldOfZeroForQuartz() {
        assertEquals("0 */2 * * * ?", CronSchedules.toQuartz("*/2 * * * *"));
        assertEquals("0 0 4 ? * SUN", CronSchedules.toQuartz("0 4 * * 0"));
        assertEquals("0 0 2 1 * ?", CronSchedules.toQuartz("0 2 1 * *"));
    }

    @Test
    void aGribIndexGivesTheByteRangesOfTheChosenMessages() {
        GribIndex index = new GribIndex("""
                1:0:d=2025061912:TMP:2 m above ground:anl:
                2:100:d=2025061912:RH:2 m above ground:anl:
                3:250:d=2025061912:APCP:surface:0-3 hour acc fcst:
                4:400:d=2025061912:APCP:surface:0-6 hour acc fcst:
                5:600:d=2025061912:TMP:500 mb:anl:
                """);
        assertEquals(List.of(new GribIndex.Range(0, 99)), index.ranges("TMP:2 m above ground", 1000));
        assertEquals(List.of(new GribIndex.Range(250, 599)), index.ranges("APCP:surface", 1000), "adjacent messages merge");
        assertEquals(List.of(new GribIndex.Range(600, 999)), index.ranges("TMP:500 mb", 1000), "the last runs to the end");
        assertEquals(List.of("TMP:2 m above ground"), List.copyOf(index.select(List.of("TMP:2 m above ground", "VIS:surface"), 1000).keySet()));
    }
}
