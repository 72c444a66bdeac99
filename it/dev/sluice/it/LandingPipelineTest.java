package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files dropped into the landing directory end as rows in PostgreSQL and originals in the bucket. */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class LandingPipelineTest {

    @Inject
    Landing landing;

    @Test
    void csvRowsShouldBeLoadedAndTheOriginalArchived() throws Exception {
        String csv = """
                gauge_id,observed_at,rainfall_in,quality
                CSV-1,2024-01-01 00:15,0.04,ok
                CSV-1,2024-01-01 00:30:00,0.12,
                CSV-2,2024-01-01T00:15:00-07:00,1.5,"est, radar"
                """;
        landing.drop("rain-csv-happy.csv", csv);

        // then the file is archived and out of the inbox
        String key = awaitArchived("rain-csv-happy.csv");
        assertTrue(Files.exists(landing.done().resolve("rain-csv-happy.csv")));
        assertFalse(Files.exists(landing.inbox().resolve("rain-csv-happy.csv")));

        // and its rows are in rain_readings, timestamps in the gauge's zone (America/Phoenix, UTC-7)
        List<Map<String, Object>> rows = landing.rows("""
                select gauge_id, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as utc, rainfall_in, quality
                from rain_readings where gauge_id like 'CSV-%' order by gauge_id, observed_at""");
        assertEquals(3, rows.size());
        assertEquals("2024-01-01 07:15", rows.get(0).get("utc"));
        assertEquals(new BigDecimal("0.040"), rows.get(0).get("rainfall_in"));
        assertEquals("2024-01-01 07:30", rows.get(1).get("utc"));
        assertEquals(null, rows.get(1).get("quality"));
        assertEquals("est, radar", rows.get(2).get("quality"));
        assertEquals("2024-01-01 07:15", rows.get(2).get("utc"));

        // and the archive holds the identical bytes, its sha256 in the ledger and on the object
        byte[] archived = landing.object(key);
        assertArrayEquals(csv.getBytes(StandardCharsets.UTF_8), archived);
        assertTrue(key.startsWith("raw/rain-gauge-readings/"), key);
        String sha = sha256(archived);
        assertEquals(sha, landing.rows("select content_hash from file_ledger where identity = ?", "rain-csv-happy.csv").get(0).get("content_hash"));
        assertEquals(sha, landing.objectMetadata(key).get("sluice-sha256"));

        // and one run row tells what happened
        Map<String, Object> run = landing.rows("select * from ingest_run where subject = ?", "rain-csv-happy.csv").get(0);
        assertEquals("loaded", run.get("outcome"));
        assertEquals(3L, run.get("rows_read"));
        assertEquals(3L, run.get("rows_loaded"));
        assertEquals(0L, run.get("rows_rejected"));
    }

    @Test
    void ndjsonRowsShouldBeLoadedIntoTheDatasetsTable() throws Exception {
        String ndjson = """
                {"name": "nd-gfs", "description": "GFS 0.25 degree", "source_url": "s3://noaa-gfs-bdp-pds", "format": "grib2", "updated_at": "2024-05-01T12:00:00Z"}
                {"name": "nd-mrms", "description": "MRMS radar", "license": "public domain", "extra": [1, 2]}
                """;
        landing.drop("datasets-nd.ndjson", ndjson);

        String key = awaitArchived("datasets-nd.ndjson");
        assertArrayEquals(ndjson.getBytes(StandardCharsets.UTF_8), landing.object(key));
        List<Map<String, Object>> rows = landing.rows(
                "select name, description, format, license, updated_at is not null as dated from datasets where name like 'nd-%' order by name");
        assertEquals(2, rows.size());
        assertEquals("GFS 0.25 degree", rows.get(0).get("description"));
        assertEquals("grib2", rows.get(0).get("format"));
        assertEquals(true, rows.get(0).get("dated"));
        assertEquals("public domain", rows.get(1).get("license"));
    }

    @Test
    void anXlsxWorkbookWithOneSheetPerGaugeShouldBeLoaded() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (org.apache.poi.xssf.usermodel.XSSFWorkbook book = new org.apache.poi.xssf.usermodel.XSSFWorkbook()) {
            org.apache.poi.ss.usermodel.CellStyle date = book.createCellStyle();
            date.setDataFormat(book.getCreationHelper().createDataFormat().getFormat("yyyy-mm-dd hh:mm"));
            for (String gauge : List.of("XL-1", "XL-2")) {
                org.apache.poi.ss.usermodel.Sheet sheet = book.createSheet(gauge);
                sheet.createRow(0).createCell(0).setCellValue("Date/Time");
                sheet.getRow(0).createCell(1).setCellValue("Rainfall (in)");
                for (int i = 0; i < 4; i++) {
                    org.apache.poi.ss.usermodel.Row row = sheet.createRow(i + 1);
                    row.createCell(0).setCellValue(java.time.LocalDateTime.of(2023, 10, 1, 6, 15 * i));
                    row.getCell(0).setCellStyle(date);
                    row.createCell(1).setCellValue(0.25 * i);
                }
            }
            book.write(bytes);
        }
        landing.drop("rain-wy2024.xlsx", bytes.toByteArray());

        String key = awaitArchived("rain-wy2024.xlsx");
        assertArrayEquals(bytes.toByteArray(), landing.object(key));
        assertTrue(key.startsWith("raw/rain-gauge-workbooks/"), key);
        List<Map<String, Object>> rows = landing.rows("""
                select gauge_id, to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as utc, rainfall_in
                from rain_readings where gauge_id like 'XL-%' order by gauge_id, observed_at""");
        assertEquals(8, rows.size());
        assertEquals("XL-1", rows.get(0).get("gauge_id"));
        assertEquals("2023-10-01 13:00", rows.get(0).get("utc"));
        assertEquals(new BigDecimal("0.750"), rows.get(7).get("rainfall_in"));
    }

    @Test
    void theSameFileAgainShouldLoadNothingAndACorrectedFileShouldUpdateRows() throws Exception {
        String original = "gauge_id,observed_at,rainfall_in\nDUP-1,2024-02-01 10:00,0.10\nDUP-1,2024-02-01 10:15,0.20\n";
        landing.drop("rain-dup.csv", original);
        awaitArchived("rain-dup.csv");
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'DUP-1'"));

        // the same content again: recognised, not loaded twice, still leaves the inbox
        landing.drop("rain-dup.csv", original);
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from ingest_run where subject = 'rain-dup.csv' and outcome = 'duplicate'") == 1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> !Files.exists(landing.inbox().resolve("rain-dup.csv")));
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'DUP-1'"));
        assertEquals(1, landing.count("select count(*) from file_ledger where identity = 'rain-dup.csv'"));

        // a corrected file with the same keys: values updated, no duplicates, one new key added
        landing.drop("rain-dup.csv", "gauge_id,observed_at,rainfall_in\nDUP-1,2024-02-01 10:00,0.10\nDUP-1,2024-02-01 10:15,0.25\nDUP-1,2024-02-01 10:30,0.05\n");
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from file_ledger where identity = 'rain-dup.csv' and status = 'archived'") == 2);
        List<Map<String, Object>> rows = landing.rows("select rainfall_in from rain_readings where gauge_id = 'DUP-1' order by observed_at");
        assertEquals(List.of(new BigDecimal("0.100"), new BigDecimal("0.250"), new BigDecimal("0.050")),
                rows.stream().map(r -> r.get("rainfall_in")).toList());
        // both versions are archived, under different keys
        assertEquals(2, landing.count("select count(distinct archive_key) from file_ledger where identity = 'rain-dup.csv'"));
    }

    @Test
    void badRowsShouldBeDeadLetteredWithTheirLineAndTheGoodRowsLoaded() throws Exception {
        byte[] invalidUtf8 = "BAD-1,2024-03-01 00:45,0.3,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        String head = """
                gauge_id,observed_at,rainfall_in,quality
                BAD-1,2024-03-01 00:00,0.10,ok
                BAD-1,2024-03-01 00:15,not-a-number,ok
                BAD-1,not-a-date,0.2,ok
                BAD-1,2024-03-01 00:30,0.2
                """;
        String tail = """
                BAD-1,2024-03-01 01:00,123456.5,ok
                BAD-1,2024-03-01 01:15,0.5,this-quality-flag-is-far-too-long
                ,2024-03-01 01:30,0.5,ok
                BAD-1,2024-03-01 01:45,0.7,"multi
                line"
                BAD-1,2024-03-01 02:00,0.8,ok
                """;
        byte[] file = concat(head.getBytes(StandardCharsets.UTF_8), invalidUtf8, tail.getBytes(StandardCharsets.UTF_8));
        landing.drop("rain-mixed.csv", file);
        awaitArchived("rain-mixed.csv");

        List<Map<String, Object>> letters = landing.rows(
                "select record_number, reason from dead_letter where file = 'rain-mixed.csv' order by record_number");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), letters.stream().map(l -> l.get("record_number")).toList());
        assertTrue(((String) letters.get(0).get("reason")).contains("rainfall_in"), letters.toString());
        assertTrue(((String) letters.get(1).get("reason")).contains("observed_at"), letters.toString());
        assertTrue(((String) letters.get(2).get("reason")).contains("expected 4 fields, found 3"), letters.toString());
        assertTrue(((String) letters.get(3).get("reason")).contains("invalid UTF-8"), letters.toString());
        assertTrue(((String) letters.get(4).get("reason")).contains("out of range"), letters.toString());
        assertTrue(((String) letters.get(5).get("reason")).contains("longer than 16"), letters.toString());
        assertTrue(((String) letters.get(6).get("reason")).contains("gauge_id: missing"), letters.toString());

        List<Map<String, Object>> rows = landing.rows(
                "select rainfall_in, quality from rain_readings where gauge_id = 'BAD-1' order by observed_at");
        assertEquals(3, rows.size());
        assertEquals("multi\nline", rows.get(1).get("quality"));
        Map<String, Object> run = landing.rows("select * from ingest_run where subject = 'rain-mixed.csv'").get(0);
        assertEquals(3L, run.get("rows_loaded"));
        assertEquals(7L, run.get("rows_rejected"));
    }

    @Test
    void aSlowlyWrittenFileShouldBeLoadedOnceAndComplete() throws Exception {
        Path file = landing.inbox().resolve("rain-slow.csv");
        Files.createDirectories(landing.inbox());
        int rows = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("gauge_id,observed_at,rainfall_in\n".getBytes(StandardCharsets.UTF_8));
            // ten chunks, 250 ms apart: the writer is busy for ~2.5 s, longer than the 500 ms stability window's checks
            for (int chunk = 0; chunk < 10; chunk++) {
                StringBuilder part = new StringBuilder();
                for (int i = 0; i < 100; i++, rows++) {
                    part.append("SLOW-1,2024-04-01 00:00,0.01\n".replace("00:00", "%02d:%02d".formatted(rows / 60 % 24, rows % 60))
                            .replace("2024-04-01", "2024-04-%02d".formatted(1 + rows / 1440)));
                }
                out.write(part.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(250);
            }
        }
        awaitArchived("rain-slow.csv");
        assertEquals(1000, landing.count("select count(*) from rain_readings where gauge_id = 'SLOW-1'"));
        assertEquals(1, landing.count("select count(*) from ingest_run where subject = 'rain-slow.csv'"));
        assertEquals(0, landing.count("select count(*) from dead_letter where file = 'rain-slow.csv'"));
    }

    @Test
    void unprocessableFilesShouldGoToErrorWithAReasonAndTheNextFileStillLoads() throws Exception {
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        landing.drop("rain-garbage.csv", garbage);
        landing.drop("rain-empty.csv", new byte[0]);
        landing.drop("invoices-2024.csv", "id,amount\n1,2\n");
        landing.drop("rain-noheader.csv", "G9,2024-01-01 00:00,0.1\nG9,2024-01-01 00:15,0.2\n");
        landing.drop("rain-after-errors.csv", "gauge_id,observed_at,rainfall_in\nNEXT-1,2024-05-01 00:00,0.5\n");

        awaitArchived("rain-after-errors.csv");
        assertEquals(1, landing.count("select count(*) from rain_readings where gauge_id = 'NEXT-1'"));
        Map<String, String> expected = Map.of(
                "rain-garbage.csv", "binary content",
                "rain-empty.csv", "empty file",
                "invoices-2024.csv", "no dataset declaration matches",
                "rain-noheader.csv", "missing header");
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                expected.keySet().stream().allMatch(name -> Landing.written(landing.error().resolve(name + ".reason.txt"))));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String reason = Files.readString(landing.error().resolve(e.getKey() + ".reason.txt"));
            assertTrue(reason.contains(e.getValue()), e.getKey() + ": " + reason);
            assertTrue(Files.exists(landing.error().resolve(e.getKey())), e.getKey() + " kept in error/");
            assertFalse(Files.exists(landing.inbox().resolve(e.getKey())));
            assertEquals("rejected", landing.rows("select status from file_ledger where identity = ?", e.getKey()).get(0).get("status"));
            assertEquals(1, landing.count("select count(*) from ingest_run where subject = ? and outcome = 'rejected'", e.getKey()));
        }
    }

    @Test
    void aGzippedCsvShouldLoadAsTheCsvItCompressesAndItsOriginalBeArchived() throws Exception {
        String csv = "gauge_id,observed_at,rainfall_in\nGZ-1,2024-07-01 00:00,0.11\nGZ-1,2024-07-01 00:15,0.22\n";
        byte[] gz = gzip(csv.getBytes(StandardCharsets.UTF_8));
        landing.drop("rain-gz-2024.csv.gz", gz);

        // matched on its inner name (rain-*.csv), its rows loaded, the compressed original archived as it came
        String key = awaitArchived("rain-gz-2024.csv.gz");
        assertTrue(key.startsWith("raw/rain-gauge-readings/") && key.endsWith("/rain-gz-2024.csv.gz"), key);
        assertArrayEquals(gz, landing.object(key));
        assertEquals(sha256(gz), landing.rows("select content_hash from file_ledger where identity = 'rain-gz-2024.csv.gz'").get(0).get("content_hash"));
        assertTrue(Files.exists(landing.done().resolve("rain-gz-2024.csv.gz")));
        List<Map<String, Object>> rows = landing.rows("select rainfall_in from rain_readings where gauge_id = 'GZ-1' order by observed_at");
        assertEquals(List.of(new BigDecimal("0.110"), new BigDecimal("0.220")), rows.stream().map(r -> r.get("rainfall_in")).toList());
        Map<String, Object> run = landing.rows("select * from ingest_run where subject = 'rain-gz-2024.csv.gz'").get(0);
        assertEquals("loaded", run.get("outcome"));
        assertEquals(2L, run.get("rows_loaded"));
    }

    @Test
    void aZipShouldLoadEachMemberIntoTheDatasetItsNameMatches() throws Exception {
        byte[] zip = zip(Map.of(
                "rain-zip-a.csv", "gauge_id,observed_at,rainfall_in\nZIP-1,2024-08-01 00:00,0.3\nZIP-1,2024-08-01 00:15,0.4\n",
                "2024/gauge-zip-b.csv", "gauge_id,name\nZIP-1,Zipped gauge\n",
                "__MACOSX/._rain-zip-a.csv", "resource fork, not content"));
        landing.drop("bundle-ok.zip", zip);

        String key = awaitArchived("bundle-ok.zip");
        assertArrayEquals(zip, landing.object(key));
        assertTrue(Files.exists(landing.done().resolve("bundle-ok.zip")));
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'ZIP-1'"));
        assertEquals("Zipped gauge", landing.rows("select name from gauges where gauge_id = 'ZIP-1'").get(0).get("name"));
        // one run per member, both pointing at the zip's ledger entry
        List<Map<String, Object>> runs = landing.rows("""
                select r.subject, r.dataset, r.rows_loaded from ingest_run r join file_ledger l on l.id = r.ledger_id
                where l.identity = 'bundle-ok.zip' and r.outcome = 'loaded' order by r.subject""");
        assertEquals(List.of("bundle-ok.zip/2024/gauge-zip-b.csv", "bundle-ok.zip/rain-zip-a.csv"), runs.stream().map(r -> r.get("subject")).toList());
        assertEquals(List.of("gauge-metadata", "rain-gauge-readings"), runs.stream().map(r -> r.get("dataset")).toList());
    }

    @Test
    void aZipWithAMemberNoDatasetMatchesShouldLoadTheOthersAndGoToErrorSayingWhich() throws Exception {
        byte[] zip = zip(Map.of(
                "rain-partial.csv", "gauge_id,observed_at,rainfall_in\nPART-1,2024-09-01 00:00,0.5\n",
                "notes.txt", "nothing declared for this"));
        landing.drop("bundle-partial.zip", zip);

        // the good member is loaded and the original archived (nothing lost) …
        String key = awaitArchived("bundle-partial.zip");
        assertArrayEquals(zip, landing.object(key));
        assertEquals(1, landing.count("select count(*) from rain_readings where gauge_id = 'PART-1'"));
        // … and the zip waits in error/ with the refused member, its reason, and how to load it later
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> Landing.written(landing.error().resolve("bundle-partial.zip.reason.txt")));
        String reason = Files.readString(landing.error().resolve("bundle-partial.zip.reason.txt"));
        assertTrue(reason.contains("notes.txt: no dataset declaration matches"), reason);
        assertTrue(reason.contains("POST /landing/reloads/"), reason);
        assertTrue(Files.exists(landing.error().resolve("bundle-partial.zip")));
        assertFalse(Files.exists(landing.done().resolve("bundle-partial.zip")));
        assertEquals(1, landing.count("select count(*) from ingest_run where subject = 'bundle-partial.zip/notes.txt' and outcome = 'rejected'"));
    }

    @Test
    void aForcedReloadShouldWriteTheArchivedRowsAgainAndBeRecordedAsARun() throws Exception {
        landing.drop("rain-reload.csv.gz", gzip("gauge_id,observed_at,rainfall_in\nRELOAD-1,2024-10-01 00:00,0.7\nRELOAD-1,2024-10-01 00:15,0.8\n"
                .getBytes(StandardCharsets.UTF_8)));
        awaitArchived("rain-reload.csv.gz");
        long ledgerId = (Long) landing.rows("select id from file_ledger where identity = 'rain-reload.csv.gz'").get(0).get("id");
        // a correction by hand (or a row lost): the table no longer says what the file said
        landing.count("with changed as (update rain_readings set rainfall_in = 9.999 where gauge_id = 'RELOAD-1' returning 1) select count(*) from changed");
        landing.count("with gone as (delete from rain_readings where gauge_id = 'RELOAD-1' and observed_at = '2024-10-01 07:15+00' returning 1) select count(*) from gone");

        // the reload, though the ledger knows the content
        io.restassured.path.json.JsonPath answer = io.restassured.RestAssured.given().post("/landing/reloads/" + ledgerId)
                .then().statusCode(200).extract().jsonPath();
        assertEquals(2, answer.getInt("rowsLoaded"));
        assertEquals("rain-reload.csv.gz", answer.getString("file"));

        List<Map<String, Object>> rows = landing.rows("select rainfall_in from rain_readings where gauge_id = 'RELOAD-1' order by observed_at");
        assertEquals(List.of(new BigDecimal("0.700"), new BigDecimal("0.800")), rows.stream().map(r -> r.get("rainfall_in")).toList());
        // recorded as a run of its own, marked forced
        List<Map<String, Object>> forced = landing.rows("""
                select id, outcome, rows_loaded, message from ingest_run where ledger_id = ? and summary->>'trigger' = 'forced-reload'""", ledgerId);
        assertEquals(1, forced.size(), forced.toString());
        assertEquals("loaded", forced.get(0).get("outcome"));
        assertEquals(2L, forced.get(0).get("rows_loaded"));
        assertTrue(((String) forced.get(0).get("message")).startsWith("forced reload"), forced.toString());
        assertEquals(answer.getLong("runIds[0]"), forced.get(0).get("id"));
        // the ledger entry is as it was
        assertEquals("archived", landing.rows("select status from file_ledger where id = ?", ledgerId).get(0).get("status"));

        // an unknown ledger id: 404; an entry without an archived original (a rejected file): 409
        io.restassured.RestAssured.given().post("/landing/reloads/987654321").then().statusCode(404)
                .body("message", org.hamcrest.Matchers.containsString("987654321"));
        landing.drop("rain-reload-empty.csv", new byte[0]);
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from file_ledger where identity = 'rain-reload-empty.csv' and status = 'rejected'") == 1);
        long rejected = (Long) landing.rows("select id from file_ledger where identity = 'rain-reload-empty.csv'").get(0).get("id");
        io.restassured.RestAssured.given().post("/landing/reloads/" + rejected).then().statusCode(409)
                .body("message", org.hamcrest.Matchers.containsString("no archived original"));
    }

    static byte[] gzip(byte[] content) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Map<String, String> members) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> member : new java.util.TreeMap<>(members).entrySet()) {
                out.putNextEntry(new java.util.zip.ZipEntry(member.getKey()));
                out.write(member.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private String awaitArchived(String name) {
        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> landing.count("select count(*) from file_ledger where identity = ? and status = 'archived'", name) > 0
                        && !Files.exists(landing.inbox().resolve(name)));
        try {
            return (String) landing.rows("select archive_key from file_ledger where identity = ? and status = 'archived' order by id desc", name)
                    .get(0).get("archive_key");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
