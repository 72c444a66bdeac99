package dev.sluice.it;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.sluice.bucket.BucketPoller;
import dev.sluice.bucket.BucketSource;
import dev.sluice.bucket.BucketSources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream buckets with NOAA layouts (a second S3 server, behind WireMock to count and fault
 * requests): only the wanted objects are copied, byte for byte, catalogued with their times; a
 * second poll GETs nothing.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class BucketIngestTest {

    private static final List<String> GRIB_MESSAGES = List.of(
            "TMP:2 m above ground", "RH:2 m above ground", "APCP:surface", "UGRD:10 m above ground", "TMP:500 mb");

    @Inject
    BucketPoller poller;
    @Inject
    BucketSources sources;
    @Inject
    Landing landing;
    @Inject
    org.apache.camel.CamelContext camel;
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "sluice.routes.dir")
    java.nio.file.Path routes;

    private BucketPoller.PollResult poll(String source, ZonedDateTime period) throws Exception {
        BucketSource s = sources.named(source).orElseThrow();
        return poller.poll(s, List.of(period), "test");
    }

    @Test
    void gribSubsetsShouldHoldExactlyTheChosenMessagesAndFetchOnlyThoseBytes() throws Exception {
        ZonedDateTime cycle = ZonedDateTime.of(2025, 6, 19, 12, 0, 0, 0, ZoneOffset.UTC);
        Map<Integer, Upstream.Grib> files = new java.util.HashMap<>();
        for (int fh : new int[] {0, 3, 6, 9}) {
            Upstream.Grib grib = Upstream.grib("2025061912", GRIB_MESSAGES, fh);
            files.put(fh, grib);
            String key = "gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f%03d".formatted(fh);
            Upstream.put("noaa-gfs-bdp-pds", key, grib.bytes());
            Upstream.put("noaa-gfs-bdp-pds", key + ".idx", grib.idx().getBytes());
        }
        Upstream.put("noaa-gfs-bdp-pds", "gfs.20250619/12/atmos/gfs.t12z.pgrb2b.0p25.f003", Upstream.random(2000, 1));
        Upstream.put("noaa-gfs-bdp-pds", "gfs.20250619/12/atmos/README", "noise".getBytes());
        Upstream.resetJournal();

        BucketPoller.PollResult result = poll("test-gfs", cycle);

        assertEquals(3, result.stored(), result.toString());
        long expectedFetched = 0;
        for (int fh : new int[] {0, 3, 6}) {
            Upstream.Grib grib = files.get(fh);
            String base = "test-gfs/2025/06/19/12/gfs.t12z.pgrb2.0p25.f%03d".formatted(fh);
            byte[] tmp = landing.object(base + "/TMP_2_m_above_ground.grib2");
            byte[] apcp = landing.object(base + "/APCP_surface.grib2");
            assertArrayEquals(slice(grib, 0), tmp, "f" + fh + " TMP");
            assertArrayEquals(slice(grib, 2), apcp, "f" + fh + " APCP");
            expectedFetched += grib.idx().length() + tmp.length + apcp.length;
        }
        // bytes fetched from upstream: the idx files and the chosen messages, nothing else
        long fetched = Upstream.objectGets().stream().mapToLong(e -> e.getResponse().getBodyAsString().isEmpty() ? 0
                : e.getResponse().getBody().length).sum();
        assertEquals(expectedFetched, fetched);
        assertTrue(Upstream.objectGets().stream().allMatch(e -> e.getRequest().getUrl().endsWith(".idx")
                || e.getRequest().getHeader("Range") != null), "every GRIB GET is a Range request");

        List<Map<String, Object>> rows = landing.rows("""
                select parameter, level, forecast_hour, reference_time, valid_time, bytes, upstream_key, upstream_etag
                from catalog where source = 'test-gfs' order by forecast_hour, parameter""");
        assertEquals(6, rows.size());
        Map<String, Object> f3tmp = rows.get(3);
        assertEquals("TMP", f3tmp.get("parameter"));
        assertEquals("2 m above ground", f3tmp.get("level"));
        assertEquals(3, f3tmp.get("forecast_hour"));
        assertEquals(Timestamp.from(cycle.toInstant()), f3tmp.get("reference_time"));
        assertEquals(Timestamp.from(cycle.plusHours(3).toInstant()), f3tmp.get("valid_time"));
        assertEquals("gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003", f3tmp.get("upstream_key"));
    }

    @Test
    void wholeFilesShouldBeCopiedByteForByteAndCataloguedWithTheirTimes() throws Exception {
        ZonedDateTime hour = ZonedDateTime.of(2025, 6, 20, 12, 0, 0, 0, ZoneOffset.UTC);
        byte[] hrrr0 = Upstream.random(40_000, 10);
        byte[] hrrr1 = Upstream.random(41_000, 11);
        Upstream.put("noaa-hrrr-bdp-pds", "hrrr.20250620/conus/hrrr.t12z.wrfsfcf00.grib2", hrrr0);
        Upstream.put("noaa-hrrr-bdp-pds", "hrrr.20250620/conus/hrrr.t12z.wrfsfcf01.grib2", hrrr1);
        Upstream.put("noaa-hrrr-bdp-pds", "hrrr.20250620/conus/hrrr.t12z.wrfsfcf02.grib2", Upstream.random(100, 12));
        Upstream.put("noaa-hrrr-bdp-pds", "hrrr.20250620/conus/hrrr.t12z.wrfprsf00.grib2", Upstream.random(100, 13));
        Upstream.put("noaa-hrrr-bdp-pds", "hrrr.20250620/conus/hrrr.t12z.wrfsfcf00.grib2.idx", "1:0:d=2025062012:TMP:2 m above ground:anl:\n".getBytes());
        byte[] c02 = Upstream.random(30_000, 20);
        byte[] c13 = Upstream.random(20_000, 21);
        String goes = "ABI-L2-CMIPC/2025/171/12/OR_ABI-L2-CMIPC-M6C%s_G19_s2025171120117%d_e20251711203544_c20251711204029.nc";
        Upstream.put("noaa-goes19", goes.formatted("02", 1), c02);
        Upstream.put("noaa-goes19", goes.formatted("13", 1), c13);
        Upstream.put("noaa-goes19", goes.formatted("07", 1), Upstream.random(100, 22));
        byte[] mrms = Upstream.random(5_000, 30);
        Upstream.put("noaa-mrms-pds", "CONUS/PrecipRate_00.00/20250620/MRMS_PrecipRate_00.00_20250620-120041.grib2.gz", mrms);
        Upstream.put("noaa-mrms-pds", "CONUS/PrecipRate_00.00/20250620/MRMS_PrecipRate_00.00_20250620-12.latest", "x".getBytes());
        Upstream.put("noaa-mrms-pds", "CONUS/MergedReflectivityQCComposite_00.50/20250620/MRMS_MergedReflectivityQCComposite_00.50_20250620-120041.grib2.gz", "y".getBytes());

        assertEquals(2, poll("test-hrrr", hour).stored());
        assertEquals(2, poll("test-goes", hour).stored());
        assertEquals(1, poll("test-mrms", hour).stored());

        assertArrayEquals(hrrr0, landing.object("test-hrrr/2025/06/20/12/hrrr.t12z.wrfsfcf00.grib2"));
        assertArrayEquals(hrrr1, landing.object("test-hrrr/2025/06/20/12/hrrr.t12z.wrfsfcf01.grib2"));
        assertArrayEquals(c02, landing.object("test-goes/2025/06/20/12/" + goes.formatted("02", 1).substring(goes.lastIndexOf('/') + 1)));
        assertArrayEquals(c13, landing.object("test-goes/2025/06/20/12/" + goes.formatted("13", 1).substring(goes.lastIndexOf('/') + 1)));
        assertArrayEquals(mrms, landing.object("test-mrms/2025/06/20/12/MRMS_PrecipRate_00.00_20250620-120041.grib2.gz"));
        assertEquals("noaa-goes19", landing.objectMetadata("test-goes/2025/06/20/12/" + goes.formatted("13", 1).substring(goes.lastIndexOf('/') + 1)).get("upstream-bucket"));

        Map<String, Object> hrrr = landing.rows("select * from catalog where storage_key like 'test-hrrr/2025/06/20/12/%f01.grib2'").get(0);
        assertEquals(1, hrrr.get("forecast_hour"));
        assertEquals(Timestamp.from(hour.plusHours(1).toInstant()), hrrr.get("valid_time"));
        Map<String, Object> goesRow = landing.rows("select * from catalog where source = 'test-goes' and parameter = 'C13'").get(0);
        assertEquals(Timestamp.from(hour.plusMinutes(1).plusSeconds(17).toInstant()), goesRow.get("reference_time"), "GOES scan start");
        assertEquals(20_000L, goesRow.get("bytes"));
        Map<String, Object> mrmsRow = landing.rows("select * from catalog where storage_key like 'test-mrms/2025/06/20/%'").get(0);
        assertEquals(Timestamp.from(hour.plusSeconds(41).toInstant()), mrmsRow.get("reference_time"));
        assertEquals("PrecipRate_00.00", mrmsRow.get("parameter"));
        assertEquals(0, landing.count("select count(*) from catalog where upstream_key like '%f02.grib2' or upstream_key like '%wrfprs%' or upstream_key like '%C07%' or upstream_key like '%.latest'"));

        // the second poll of the same period: every version is in the ledger, so not one GET
        Upstream.resetJournal();
        BucketPoller.PollResult again = poll("test-hrrr", hour);
        poll("test-goes", hour);
        poll("test-mrms", hour);
        assertEquals(0, again.stored());
        assertEquals(2, again.known());
        assertEquals(List.of(), Upstream.objectGets().stream().map(e -> e.getRequest().getUrl()).toList());
        assertTrue(SluiceTestResources.upstream.getAllServeEvents().size() >= 3, "the polls did list");
    }

    @Test
    void aChangedEtagShouldBeStoredAsANewVersion() throws Exception {
        ZonedDateTime hour = ZonedDateTime.of(2025, 6, 21, 8, 0, 0, 0, ZoneOffset.UTC);
        String key = "CONUS/PrecipRate_00.00/20250621/MRMS_PrecipRate_00.00_20250621-080041.grib2.gz";
        Upstream.put("noaa-mrms-pds", key, Upstream.random(1000, 40));
        assertEquals(1, poll("test-mrms", hour).stored());
        byte[] corrected = Upstream.random(1200, 41);
        Upstream.put("noaa-mrms-pds", key, corrected);

        BucketPoller.PollResult result = poll("test-mrms", hour);

        assertEquals(1, result.stored());
        String storageKey = "test-mrms/2025/06/21/08/MRMS_PrecipRate_00.00_20250621-080041.grib2.gz";
        assertArrayEquals(corrected, landing.object(storageKey));
        Map<String, Object> row = landing.rows("select version, bytes from catalog where storage_key = ?", storageKey).get(0);
        assertEquals(2, row.get("version"));
        assertEquals(1200L, row.get("bytes"));
        assertEquals(2, landing.count("select count(*) from file_ledger where source = 'test-mrms' and identity = ?", key));
    }

    @Test
    void anUpstreamAnswering503ForAWhileShouldBeRetriedUntilTheCopyCompletes() throws Exception {
        ZonedDateTime hour = ZonedDateTime.of(2025, 6, 22, 9, 0, 0, 0, ZoneOffset.UTC);
        String key = "CONUS/PrecipRate_00.00/20250622/MRMS_PrecipRate_00.00_20250622-090041.grib2.gz";
        byte[] content = Upstream.random(3000, 50);
        Upstream.put("noaa-mrms-pds", key, content);
        // four 503 SlowDown answers for this object, then the real one
        String url = "/noaa-mrms-pds/" + key;
        for (int i = 0; i < 4; i++) {
            SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlPathEqualTo(url)).atPriority(1)
                    .inScenario("slowdown").whenScenarioStateIs(i == 0 ? "Started" : "503-" + i).willSetStateTo("503-" + (i + 1))
                    .willReturn(WireMock.aResponse().withStatus(503).withBody("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")));
        }
        Upstream.resetJournal();
        try {
            BucketPoller.PollResult result = poll("test-mrms", hour);
            assertEquals(1, result.stored(), result.toString());
            assertArrayEquals(content, landing.object("test-mrms/2025/06/22/09/MRMS_PrecipRate_00.00_20250622-090041.grib2.gz"));
            // the journal lists the newest request first
            List<Integer> statuses = new ArrayList<>(Upstream.objectGets().stream().map(e -> e.getResponse().getStatus()).toList());
            java.util.Collections.reverse(statuses);
            assertEquals(List.of(503, 503, 503, 503, 200), statuses);
        } finally {
            SluiceTestResources.upstream.resetScenarios();
            SluiceTestResources.upstream.removeStubsByMetadata(WireMock.absent());
            SluiceTestResources.upstream.stubFor(WireMock.any(WireMock.anyUrl()).atPriority(10)
                    .willReturn(WireMock.aResponse().proxiedFrom(SluiceTestResources.upstreamDirect.toString())));
        }
    }

    @Test
    void twoPollersOnOneDatabaseShouldIngestEachObjectExactlyOnce() throws Exception {
        ZonedDateTime day = ZonedDateTime.of(2025, 6, 23, 0, 0, 0, 0, ZoneOffset.UTC);
        for (int i = 0; i < 40; i++) {
            Upstream.put("pollers", "day/20250623/obj-%02d.bin".formatted(i), Upstream.random(2000, 60 + i));
        }
        Upstream.resetJournal();
        ExecutorService two = Executors.newFixedThreadPool(2);
        List<Callable<BucketPoller.PollResult>> pollers = List.of(() -> poll("test-pollers", day), () -> poll("test-pollers", day));
        List<BucketPoller.PollResult> results = new ArrayList<>();
        for (Future<BucketPoller.PollResult> f : two.invokeAll(pollers)) {
            results.add(f.get());
        }
        two.shutdown();

        assertEquals(40, results.get(0).stored() + results.get(1).stored(), results.toString());
        assertEquals(40, Upstream.objectGets().size(), "each object fetched once across both pollers");
        assertEquals(40, landing.count("select count(*) from catalog where source = 'test-pollers'"));
        assertEquals(40, landing.count("select count(*) from file_ledger where source = 'test-pollers' and status = 'archived'"));
        // each object told once (object.stored), as the webhook received them
        for (int i = 0; i < 40; i++) {
            String key = "day/20250623/obj-%02d.bin".formatted(i);
            org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS).pollDelay(50, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> Events.accepted("object.stored", key).size() >= 1);
            assertEquals(1, Events.accepted("object.stored", key).size(), "exactly one object.stored event for " + key);
        }
    }

    @Test
    void aSourceShouldRunNowOverRestAndReportItsMetrics() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(3);
        String stamp = now.format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String key = "CONUS/PrecipRate_00.00/%s/MRMS_PrecipRate_00.00_%s.grib2.gz".formatted(stamp.substring(0, 8), stamp);
        Upstream.put("noaa-mrms-pds", key, Upstream.random(700, 70));

        RestAssured.given().post("/sources/test-mrms/runs").then().statusCode(200)
                .body("outcome", equalTo("success")).body("stored", equalTo(1));
        RestAssured.given().post("/sources/no-such-source/runs").then().statusCode(404)
                .body("message", equalTo("no source named 'no-such-source'"));
        RestAssured.given().auth().preemptive().basic(SluiceTestResources.CONSOLE_USER, SluiceTestResources.CONSOLE_PASSWORD).get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("ingestion_runs_total{source=\"test-mrms\",status=\"success\"}"))
                .body(org.hamcrest.Matchers.containsString("files_ingested_total{source=\"test-mrms\"}"))
                .body(org.hamcrest.Matchers.containsString("bytes_ingested_total{source=\"test-mrms\"}"))
                .body(org.hamcrest.Matchers.containsString("ingestion_duration_seconds_count{source=\"test-mrms\"}"))
                .body(org.hamcrest.Matchers.containsString("ingestion_last_success_timestamp_seconds{source=\"test-mrms\"}"));
    }

    @Test
    void aScheduledPollShouldGoThroughTheSameStagesAndBackOffWhileTheUpstreamIsUnreachable() throws Exception {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(3);
        String stamp = now.format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String key = "CONUS/PrecipRate_00.00/%s/MRMS_PrecipRate_00.00_%s.grib2.gz".formatted(stamp.substring(0, 8), stamp);
        Upstream.put("noaa-mrms-pds", key, Upstream.random(900, 90));
        // sources are not scheduled in tests: this one's route file is edited to poll every 2 s, and the edit applies
        java.nio.file.Path file = routes.resolve("test-mrms.camel.yaml");
        String original = java.nio.file.Files.readString(file);
        java.nio.file.Files.writeString(file, original.replace(BucketSourceFiles.NEVER, "0/2 * * * * ?"));
        com.github.tomakehurst.wiremock.stubbing.StubMapping unreachable = null;
        try {
            org.awaitility.Awaitility.await().atMost(30, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from catalog where upstream_key = ?", key) == 1);
            // the event is told after the catalog row is committed: give it the moment between the two
            org.awaitility.Awaitility.await().atMost(10, java.util.concurrent.TimeUnit.SECONDS).pollDelay(50, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .untilAsserted(() -> assertEquals(1, Events.accepted("object.stored", key).size(),
                            "the scheduled poll told the stored object (no run was asked for: the edited file's route polled on its schedule)"));

            // the upstream goes away: one scheduled poll fails, then the circuit breaker skips the next ones
            Timestamp before = Timestamp.from(java.time.Instant.now());
            unreachable = SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlPathMatching("/noaa-mrms-pds/?")).atPriority(1)
                    .willReturn(WireMock.aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));
            // by when it finished: a poll begun just before the stub lists after it and fails, and the breaker,
            // open from then on, lets no later poll begin
            org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from ingest_run where source = 'test-mrms' and outcome = 'failed' and finished_at > ?", before) >= 1);
            Thread.sleep(1500);
            Timestamp open = Timestamp.from(java.time.Instant.now());
            Thread.sleep(6000);
            assertEquals(0, landing.count("select count(*) from ingest_run where source = 'test-mrms' and started_at > ?", open),
                    "no poll while the breaker is open (three cron ticks went by)");
        } finally {
            if (unreachable != null) {
                SluiceTestResources.upstream.removeStub(unreachable);
            }
            // never scheduled again
            java.nio.file.Files.writeString(file, original);
            org.awaitility.Awaitility.await().atMost(15, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .until(() -> BucketSourceFiles.NEVER.equals(RestAssured.given().get("/sources").then().extract().path("find { it.name == 'test-mrms' }.schedule")));
        }
    }

    @Test
    void aBackfillShouldCoverEveryPeriodAndReportItsProgress() {
        for (int h = 0; h < 6; h++) {
            Upstream.put("noaa-mrms-pds", "CONUS/PrecipRate_00.00/20250624/MRMS_PrecipRate_00.00_20250624-%02d0041.grib2.gz".formatted(h),
                    Upstream.random(500, 80 + h));
        }
        int id = RestAssured.given().contentType("application/json").body("{\"from\": \"2025-06-24T00:00:00Z\", \"to\": \"2025-06-24T05:00:00Z\"}")
                .post("/sources/test-mrms/backfills").then().statusCode(201)
                .body("periodsTotal", equalTo(6)).extract().path("id");
        org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .until(() -> "done".equals(RestAssured.given().get("/sources/test-mrms/backfills/" + id).then().extract().path("status")));
        RestAssured.given().get("/sources/test-mrms/backfills/" + id).then().statusCode(200)
                .body("periodsDone", equalTo(6)).body("periodsFailed", equalTo(0)).body("objects", equalTo(6))
                .body("bytes", greaterThan(2999));
        RestAssured.given().contentType("application/json").body("{\"from\": \"yesterday\", \"to\": \"2025-06-24\"}")
                .post("/sources/test-mrms/backfills").then().statusCode(400);
        RestAssured.given().get("/sources/test-mrms/backfills/999999").then().statusCode(404);
    }

    private static byte[] slice(Upstream.Grib grib, int message) {
        long[] range = grib.ranges().get(message);
        return Arrays.copyOfRange(grib.bytes(), (int) range[0], (int) range[1] + 1);
    }

}
