package dev.sluice.it;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.sluice.http.HttpIngester;
import dev.sluice.purge.PurgeCounts;
import dev.sluice.purge.PurgeTarget;
import dev.sluice.purge.RawArchivePurge;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every version of an HTTP source's period is archived under its own key, and only once its rows
 * are about to commit: a version that is rejected or rolled back never replaces the archive of the
 * version the rows came from; an upstream that reverts is loaded again; retention deletes old
 * versions' archives and keeps the current one.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class HttpArchiveVersionsTest {

    private static final String HEADER = "gauge_id,observed_at,rainfall_in\n";

    @Inject
    Landing landing;
    @Inject
    HttpIngester ingester;
    @Inject
    RawArchivePurge rawPurge;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aRejectedOrRolledBackVersionShouldNeverReplaceTheArchiveOfTheLoadedOne() throws Exception {
        String v1 = HEADER + "HTTPV-1,2043-10-01 06:00,0.10\nHTTPV-1,2043-10-01 06:15,0.20\n";
        serve("/district/rain/wy2044.csv", "\"v1\"", v1);
        assertEquals("fetched", ingester.ingest("test-rain-csv", "2044").get("status"));
        String loadedKey = archiveKeyOf("2044/wy2044.csv", sha256(v1));
        assertArrayEquals(bytes(v1), landing.object(loadedKey));

        // a version without a header row: rejected, nothing loaded, and nothing archived over v1
        String rejected = "HTTPV-1,2043-10-01 06:00,9.99\n";
        serve("/district/rain/wy2044.csv", "\"v2\"", rejected);
        Map<String, Object> second = ingester.ingest("test-rain-csv", "2044");
        assertEquals("failed", second.get("status"));
        assertTrue(String.valueOf(second.get("error")).contains("missing header"), second.toString());

        // a version the database refuses half-way: rolled back, nothing archived over v1 either
        execute("""
                create or replace function refuse_rollback_gauge() returns trigger language plpgsql as $$
                begin
                  if new.gauge_id = 'HTTPV-ROLLBACK' then raise exception 'refused %', new.gauge_id; end if;
                  return new;
                end $$""");
        execute("create trigger refuse_rollback_gauge before insert or update on rain_readings for each row execute function refuse_rollback_gauge()");
        String rolledBack = HEADER + "HTTPV-1,2043-10-01 06:00,7.77\nHTTPV-ROLLBACK,2043-10-01 06:00,1.0\n";
        try {
            serve("/district/rain/wy2044.csv", "\"v3\"", rolledBack);
            assertThrows(Exception.class, () -> ingester.ingest("test-rain-csv", "2044"));
        } finally {
            execute("drop trigger if exists refuse_rollback_gauge on rain_readings");
        }

        assertArrayEquals(bytes(v1), landing.object(loadedKey), "the archive of the loaded version is untouched");
        for (S3Object object : objectsUnder("raw/http/test-rain-csv/2044/")) {
            byte[] content = landing.object(object.key());
            assertFalse(java.util.Arrays.equals(bytes(rejected), content), object.key() + " holds the rejected version");
            assertFalse(java.util.Arrays.equals(bytes(rolledBack), content), object.key() + " holds the rolled-back version");
        }
        assertEquals(List.of(new BigDecimal("0.100"), new BigDecimal("0.200")), readings("HTTPV-1"));
        assertEquals(1, landing.count("select count(*) from file_ledger where source = 'test-rain-csv' and identity = '2044/wy2044.csv'"));
    }

    @Test
    void anUpstreamThatRevertsShouldBeLoadedAgainAndEachVersionKeepsItsOwnArchive() throws Exception {
        String a = HEADER + "HTTPR-1,2044-10-01 06:00,0.10\n";
        String b = HEADER + "HTTPR-1,2044-10-01 06:00,0.50\n";
        serve("/district/rain/wy2045.csv", "\"a\"", a);
        ingester.ingest("test-rain-csv", "2045");
        serve("/district/rain/wy2045.csv", "\"b\"", b);
        ingester.ingest("test-rain-csv", "2045");
        assertEquals(List.of(new BigDecimal("0.500")), readings("HTTPR-1"));

        // the correction is withdrawn: upstream serves A again
        serve("/district/rain/wy2045.csv", "\"a-again\"", a);
        Map<String, Object> again = ingester.ingest("test-rain-csv", "2045");
        assertEquals("fetched", again.get("status"));
        assertEquals(List.of(new BigDecimal("0.100")), readings("HTTPR-1"), "the rows are A's again");

        String keyA = archiveKeyOf("2045/wy2045.csv", sha256(a));
        String keyB = archiveKeyOf("2045/wy2045.csv", sha256(b));
        assertNotEquals(keyA, keyB);
        assertArrayEquals(bytes(a), landing.object(keyA));
        assertArrayEquals(bytes(b), landing.object(keyB));
    }

    @Test
    void retentionShouldDeleteAnOldVersionsArchiveAndKeepTheCurrentOne() throws Exception {
        String v1 = HEADER + "HTTPP-1,2045-10-01 06:00,0.10\n";
        String v2 = HEADER + "HTTPP-1,2045-10-01 06:00,0.30\n";
        serve("/district/rain/wy2046.csv", "\"p1\"", v1);
        ingester.ingest("test-rain-csv", "2046");
        serve("/district/rain/wy2046.csv", "\"p2\"", v2);
        ingester.ingest("test-rain-csv", "2046");
        String key1 = archiveKeyOf("2046/wy2046.csv", sha256(v1));
        String key2 = archiveKeyOf("2046/wy2046.csv", sha256(v2));
        execute("update file_ledger set updated_at = now() - interval '40 days' where archive_key = '" + key1 + "'");

        PurgeTarget target = new PurgeTarget("rain-gauge-readings", PurgeTarget.Kind.RAW_ARCHIVES, Duration.ofDays(30),
                List.of("raw/http/test-rain-csv/2046/"), null, null);
        PurgeCounts purged = rawPurge.purge(target, Instant.now().minus(Duration.ofDays(30)));

        assertEquals(1, purged.objects());
        assertEquals(1, purged.ledgerRows());
        assertThrows(NoSuchKeyException.class, () -> landing.object(key1));
        assertArrayEquals(bytes(v2), landing.object(key2));
        assertEquals(0, landing.count("select count(*) from file_ledger where archive_key = ?", key1));
        assertEquals(1, landing.count("select count(*) from file_ledger where archive_key = ?", key2));
    }

    private static void serve(String path, String etag, String body) {
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", etag).withBody(body)));
    }

    private String archiveKeyOf(String identity, String sha256) throws Exception {
        List<Map<String, Object>> rows = landing.rows(
                "select archive_key from file_ledger where source = 'test-rain-csv' and identity = ? and content_hash = ?", identity, sha256);
        assertEquals(1, rows.size(), identity + " " + sha256);
        return (String) rows.get(0).get("archive_key");
    }

    private List<BigDecimal> readings(String gauge) throws Exception {
        return landing.rows("select rainfall_in from rain_readings where gauge_id = ? order by observed_at", gauge).stream()
                .map(r -> (BigDecimal) r.get("rainfall_in")).toList();
    }

    private List<S3Object> objectsUnder(String prefix) {
        try (var s3 = landing.s3()) {
            return s3.listObjectsV2(b -> b.bucket("sluice").prefix(prefix)).contents();
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes(text)));
    }
}
