package dev.sluice.it;

import dev.sluice.purge.RetentionPurge;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention over a seeded catalog: test-mrms keeps 1 day, test-hrrr has no retention, the old-rain
 * dataset keeps raw archives 30 days and rows 100 years. Exactly the expired objects, catalog rows,
 * ledger rows and dataset rows go; nothing fresh, nothing of a source without retention, nothing
 * outside the source's prefix, no manual entry. The dry run announces exactly what the run deletes,
 * and a purge cut off half-way is finished by the next run.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class RetentionPurgeTest {

    @Inject
    Landing landing;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    RetentionPurge purge;
    @Inject
    dev.sluice.bucket.Catalog catalog;
    @Inject
    CamelContext camel;

    private final Instant now = Instant.now();

    @Test
    void purgeShouldDeleteExactlyTheExpiredAndTheDryRunShouldSayExactlyThat() throws Exception {
        // objects other tests catalogued for test-mrms (old scans: expired by their data time) go first
        purge.purge("test-mrms");
        double deletedBefore = deletedSoFar("test-mrms");
        double freedBefore = soFar("purge_bytes_freed_total", "test-mrms");
        List<String> expired = new ArrayList<>();
        long expiredBytes = 0;
        for (int i = 0; i < 1203; i++) { // more than one DeleteObjects batch
            String key = "test-mrms/2020/01/01/00/scan-%04d.grib2.gz".formatted(i);
            expiredBytes += seedObject("test-mrms", key, 10 + i % 7, now.minus(Duration.ofDays(2)), "poll");
            expired.add(key);
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String fresh = "test-mrms/2020/01/02/00/fresh-" + i;
            seedObject("test-mrms", fresh, 5, now.minus(Duration.ofHours(1)), now.minus(Duration.ofHours(1)), "poll");
            kept.add(fresh);
        }
        seedObject("test-mrms", "elsewhere/test-mrms-but-outside-its-prefix", 5, now.minus(Duration.ofDays(9)), "poll");
        kept.add("elsewhere/test-mrms-but-outside-its-prefix");
        seedObject("test-mrms", "test-mrms/manual/uploaded-by-hand", 5, now.minus(Duration.ofDays(9)), "manual");
        kept.add("test-mrms/manual/uploaded-by-hand");
        seedObject("test-hrrr", "test-hrrr/2020/01/01/00/no-retention", 5, now.minus(Duration.ofDays(400)), "poll");
        kept.add("test-hrrr/2020/01/01/00/no-retention");
        landing.s3().putObject(b -> b.bucket("sluice").key("test-mrms/not-catalogued"), RequestBody.fromString("x"));
        kept.add("test-mrms/not-catalogued");
        // ledger state: old rows of the expired objects go, a fresh one stays
        for (String key : expired.subList(0, 50)) {
            seedLedger("test-mrms", key, null, key, now.minus(Duration.ofDays(2)));
        }
        seedLedger("test-mrms", "fresh-upstream-key", null, kept.get(0), now.minus(Duration.ofHours(1)));
        // raw archives of old-rain: two expired, one fresh, one outside the dataset's prefixes
        seedRaw("raw/old-rain/2020/01/01/oldrain-1.csv", now.minus(Duration.ofDays(40)));
        seedRaw("raw/old-rain/2020/01/01/oldrain-2.csv", now.minus(Duration.ofDays(31)));
        seedRaw("raw/old-rain/2026/01/01/oldrain-3.csv", now.minus(Duration.ofDays(1)));
        seedRaw("raw/someone-else/oldrain-4.csv", now.minus(Duration.ofDays(40)));
        kept.add("raw/old-rain/2026/01/01/oldrain-3.csv");
        // an HTTP-style archive key reused by a newer version: the old version's row goes, the object stays
        seedRaw("raw/old-rain/latest/oldrain-5.csv", now.minus(Duration.ofDays(40)));
        seedLedger("landing", "oldrain-5.csv (newer version)", "old-rain", "raw/old-rain/latest/oldrain-5.csv", now.minus(Duration.ofDays(1)));
        kept.add("raw/old-rain/latest/oldrain-5.csv");
        kept.add("raw/someone-else/oldrain-4.csv");
        // rows: older than 100 years go
        execute("insert into rain_readings (gauge_id, observed_at, rainfall_in) values ('PURGE-OLD', '1900-01-01T00:00:00Z', 1.0),"
                + " ('PURGE-NEW', '2020-01-01T00:00:00Z', 2.0)");

        JsonPath preview = RestAssured.given().queryParam("source", "test-mrms").get("/purge/preview")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1203, preview.getLong("total.objects"));
        assertEquals(expiredBytes, preview.getLong("total.bytes"));
        assertEquals(50, preview.getLong("total.ledgerRows"));
        JsonPath rawPreview = RestAssured.given().queryParam("source", "old-rain").get("/purge/preview")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(2, rawPreview.getLong("targets.find { it.kind == 'raw archives' }.objects"));
        assertEquals(3, rawPreview.getLong("targets.find { it.kind == 'raw archives' }.ledgerRows"));
        assertEquals(1, rawPreview.getLong("targets.find { it.kind == 'rows' }.rows"));
        RestAssured.given().queryParam("source", "test-hrrr").get("/purge/preview").then().statusCode(200)
                .body("targets.size()", org.hamcrest.Matchers.equalTo(0));
        RestAssured.given().queryParam("source", "no-such-thing").get("/purge/preview").then().statusCode(404)
                .body("message", org.hamcrest.Matchers.containsString("no-such-thing"));
        assertTrue(landing.s3().headObject(b -> b.bucket("sluice").key(expired.get(0))).contentLength() > 0, "a dry run deletes nothing");

        long deleteObjects = completed("purge-delete-objects");
        long deleteRows = completed("purge-delete-rows");
        JsonPath run = RestAssured.given().queryParam("source", "test-mrms").post("/purge/runs")
                .then().statusCode(200).extract().jsonPath();
        // the purge route split the 1,203 expired objects into two batches (sluice.purge.batch-size 1000),
        // each through DeleteObjects and then its rows
        assertEquals(deleteObjects + 2, completed("purge-delete-objects"));
        assertEquals(deleteRows + 2, completed("purge-delete-rows"));
        assertEquals(preview.getLong("total.objects"), run.getLong("total.objects"));
        assertEquals(preview.getLong("total.bytes"), run.getLong("total.bytes"));
        assertEquals(preview.getLong("total.ledgerRows"), run.getLong("total.ledgerRows"));
        assertEquals(0, run.getLong("total.failed"));
        Map<String, Object> raw = purge.purge("old-rain");
        assertEquals(2L, ((Map<?, ?>) ((List<?>) raw.get("targets")).get(0)).get("objects"));

        for (String key : expired) {
            assertThrows(NoSuchKeyException.class, () -> landing.s3().headObject(b -> b.bucket("sluice").key(key)), key);
        }
        assertThrows(NoSuchKeyException.class, () -> landing.s3().headObject(b -> b.bucket("sluice").key("raw/old-rain/2020/01/01/oldrain-1.csv")));
        for (String key : kept) {
            assertTrue(landing.s3().headObject(b -> b.bucket("sluice").key(key)).contentLength() > 0, key + " must stay");
        }
        assertEquals(0, landing.count("select count(*) from catalog where storage_key like 'test-mrms/2020/01/01/%'"));
        assertEquals(6, landing.count("select count(*) from catalog where storage_key = any(?)", (Object) kept.subList(0, 6).toArray(new String[0])));
        assertEquals(0, landing.count("select count(*) from file_ledger where source = 'test-mrms' and identity like 'test-mrms/2020/01/01/%'"));
        assertEquals(1, landing.count("select count(*) from file_ledger where identity = 'fresh-upstream-key'"));
        assertEquals(3, landing.count("select count(*) from file_ledger where dataset = 'old-rain'"));
        assertEquals(0, landing.count("select count(*) from rain_readings where gauge_id = 'PURGE-OLD'"));
        assertEquals(1, landing.count("select count(*) from rain_readings where gauge_id = 'PURGE-NEW'"));

        // the run is on record, and in the metrics
        List<Map<String, Object>> runs = landing.rows(
                "select bytes, outcome, (summary->>'objects')::bigint objects from ingest_run where source = 'test-mrms' and kind = 'purge' order by id desc limit 1");
        assertEquals(expiredBytes, ((Number) runs.get(0).get("bytes")).longValue());
        assertEquals(1203L, ((Number) runs.get(0).get("objects")).longValue());
        assertEquals("purged", runs.get(0).get("outcome"));
        ApiCredentials.anonymous().get("/q/metrics").then().statusCode(401);
        String metrics = RestAssured.given().auth().preemptive().basic(SluiceTestResources.CONSOLE_USER, SluiceTestResources.CONSOLE_PASSWORD)
                .get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("purge_files_deleted_total{source=\"test-mrms\"} " + (deletedBefore + 1203)), metrics.lines()
                .filter(l -> l.startsWith("purge_")).toList().toString());
        assertTrue(metrics.contains("purge_bytes_freed_total{source=\"test-mrms\"} " + (freedBefore + expiredBytes)));

        // a second run finds nothing more
        assertEquals(0, RestAssured.given().queryParam("source", "test-mrms").post("/purge/runs")
                .then().statusCode(200).extract().jsonPath().getLong("total.objects"));
    }

    @Test
    void anInterruptedPurgeShouldBeFinishedByTheNextRun() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String key = "test-gfs/2019/05/05/00/cut-off-%02d".formatted(i);
            seedObject("test-gfs", key, 100, now.minus(Duration.ofDays(8)), "poll");
            keys.add(key);
        }
        long before = purge.preview("test-gfs").get("total") instanceof Map<?, ?> t ? ((Number) t.get("objects")).longValue() : -1;
        // as a run killed between DeleteObjects and deleting the rows leaves it: rows marked, some objects gone
        execute("update catalog set purge_started_at = now() where storage_key like 'test-gfs/2019/05/05/00/cut-off-%'");
        for (String key : keys.subList(0, 10)) {
            landing.s3().deleteObject(b -> b.bucket("sluice").key(key));
        }
        // a poll storing the same key meanwhile does not take the marked row over (it retries later)
        IllegalStateException busy = assertThrows(IllegalStateException.class, () -> catalog.record(new dev.sluice.bucket.CatalogEntry(
                "test-gfs", null, null, null, null, null, keys.get(15), 100, "up", "k", "new-etag", 0)));
        assertTrue(busy.getMessage().contains("being purged"), busy.getMessage());
        assertEquals(0, landing.count("select count(*) from catalog where storage_key = ? and upstream_etag = 'new-etag'", keys.get(15)));
        // marked rows are not offered as available meanwhile
        RestAssured.given().queryParam("source", "test-gfs").queryParam("from", "2019-05-05").queryParam("to", "2019-05-06")
                .get("/catalog").then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(0));

        Map<String, Object> next = purge.purge("test-gfs");

        assertEquals(before, ((Number) ((Map<?, ?>) next.get("total")).get("objects")).longValue());
        assertEquals(0, landing.count("select count(*) from catalog where storage_key like 'test-gfs/2019/05/05/00/cut-off-%'"));
        for (String key : keys) {
            assertThrows(NoSuchKeyException.class, () -> landing.s3().headObject(b -> b.bucket("sluice").key(key)), key);
        }
    }

    @Test
    void purgeRunsShouldPurgeWithoutThePurgeRouteAsWhenStatusApiIsDeployedAlone() throws Exception {
        // objects other tests catalogued for test-gfs (old cycles: expired by their data time) go first
        purge.purge("test-gfs");
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < 5; i++) {
            String key = "test-gfs/2019/06/06/00/alone-%02d".formatted(i);
            bytes += seedObject("test-gfs", key, 20 + i, now.minus(Duration.ofDays(8)), "poll");
            keys.add(key);
        }
        long deleteObjects = completed("purge-delete-objects");
        camel.getRouteController().stopRoute("purge-targets");
        JsonPath run;
        try {
            run = RestAssured.given().queryParam("source", "test-gfs").post("/purge/runs")
                    .then().statusCode(200).extract().jsonPath();
        } finally {
            camel.getRouteController().startRoute("purge-targets");
        }

        assertEquals(deleteObjects, completed("purge-delete-objects"), "the route did not run");
        assertEquals(5, run.getLong("total.objects"));
        assertEquals(bytes, run.getLong("total.bytes"));
        assertEquals(5, run.getLong("total.catalogRows"));
        assertEquals(0, run.getLong("total.failed"));
        assertEquals("test-gfs", run.getString("targets[0].name"));
        for (String key : keys) {
            assertThrows(NoSuchKeyException.class, () -> landing.s3().headObject(b -> b.bucket("sluice").key(key)), key);
        }
        assertEquals(0, landing.count("select count(*) from catalog where storage_key like 'test-gfs/2019/06/06/00/alone-%'"));
        assertEquals("purged", landing.rows("select outcome from ingest_run where source = 'test-gfs' and kind = 'purge' order by id desc limit 1")
                .get(0).get("outcome"));
    }

    @Test
    void retentionShouldCountFromTheDataTimeWhenKnownElseFromTheIngestTime() throws Exception {
        // test-gfs keeps 7 days. A cycle of 10 days ago copied just now (a backfill) is as old as its cycle;
        // an object whose key told no time counts from its copy: kept when copied now, purged when 10 days ago
        String oldCycle = "test-gfs/2021/03/03/00/backfilled-old-cycle";
        seedObject("test-gfs", oldCycle, 7, now.minus(Duration.ofMinutes(5)), now.minus(Duration.ofDays(10)), "poll");
        String undatedNew = "test-gfs/undated/copied-now";
        seedObject("test-gfs", undatedNew, 7, now.minus(Duration.ofMinutes(5)), null, "poll");
        String undatedOld = "test-gfs/undated/copied-ten-days-ago";
        seedObject("test-gfs", undatedOld, 7, now.minus(Duration.ofDays(10)), null, "poll");
        try {
            purge.purge("test-gfs");

            for (String gone : List.of(oldCycle, undatedOld)) {
                assertThrows(NoSuchKeyException.class, () -> landing.s3().headObject(b -> b.bucket("sluice").key(gone)), gone);
                assertEquals(0, landing.count("select count(*) from catalog where storage_key = ?", gone), gone);
            }
            assertEquals(7L, landing.s3().headObject(b -> b.bucket("sluice").key(undatedNew)).contentLength());
            assertEquals(1, landing.count("select count(*) from catalog where storage_key = ?", undatedNew));
        } finally {
            execute("delete from catalog where storage_key = '" + undatedNew + "'");
            landing.s3().deleteObject(b -> b.bucket("sluice").key(undatedNew));
        }
    }

    /** purge_files_deleted_total of a source so far (0 before its first purge). */
    private static double deletedSoFar(String source) {
        return soFar("purge_files_deleted_total", source);
    }

    private static double soFar(String counter, String source) {
        String metrics = RestAssured.given().auth().preemptive().basic(SluiceTestResources.CONSOLE_USER, SluiceTestResources.CONSOLE_PASSWORD)
                .get("/q/metrics").then().statusCode(200).extract().asString();
        String prefix = counter + "{source=\"" + source + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
    }

    /** Exchanges a step of the purge route (by its id) has completed so far: one per batch. */
    private long completed(String step) throws Exception {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class).getManagedProcessor(step).getExchangesCompleted();
    }

    /** An object in our bucket and its catalog row (data time 2019-05-05); returns its size. */
    private long seedObject(String source, String key, int size, Instant ingestedAt, String origin) throws Exception {
        return seedObject(source, key, size, ingestedAt, Instant.parse("2019-05-05T00:00:00Z"), origin);
    }

    /** An object in our bucket and its catalog row with its data time (reference_time, null: unknown); returns its size. */
    private long seedObject(String source, String key, int size, Instant ingestedAt, Instant referenceTime, String origin) throws Exception {
        byte[] bytes = new byte[size];
        java.util.Arrays.fill(bytes, (byte) 'g');
        landing.s3().putObject(b -> b.bucket("sluice").key(key), RequestBody.fromBytes(bytes));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into catalog (source, storage_key, bytes, reference_time, ingested_at, origin)
                     values (?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, source);
            insert.setString(2, key);
            insert.setLong(3, size);
            insert.setTimestamp(4, referenceTime == null ? null : Timestamp.from(referenceTime));
            insert.setTimestamp(5, Timestamp.from(ingestedAt));
            insert.setString(6, origin);
            insert.executeUpdate();
        }
        return size;
    }

    private void seedLedger(String source, String identity, String dataset, String archiveKey, Instant updatedAt) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into file_ledger (source, identity, content_hash, size_bytes, dataset, status, archive_key, updated_at)
                     values (?, ?, 'etag', 7, ?, 'archived', ?, ?)""")) {
            insert.setString(1, source);
            insert.setString(2, identity);
            insert.setString(3, dataset);
            insert.setString(4, archiveKey);
            insert.setTimestamp(5, Timestamp.from(updatedAt));
            insert.executeUpdate();
        }
    }

    private void seedRaw(String key, Instant archivedAt) throws Exception {
        landing.s3().putObject(b -> b.bucket("sluice").key(key), RequestBody.fromString("gauge_id,observed_at\n"));
        seedLedger("landing", key.substring(key.lastIndexOf('/') + 1), "old-rain", key, archivedAt);
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().executeUpdate(sql);
        }
    }
}
