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
                expected.keySet().stream().allMatch(name -> Files.exists(landing.error().resolve(name + ".reason.txt"))));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String reason = Files.readString(landing.error().resolve(e.getKey() + ".reason.txt"));
            assertTrue(reason.contains(e.getValue()), e.getKey() + ": " + reason);
            assertTrue(Files.exists(landing.error().resolve(e.getKey())), e.getKey() + " kept in error/");
            assertFalse(Files.exists(landing.inbox().resolve(e.getKey())));
            assertEquals("rejected", landing.rows("select status from file_ledger where identity = ?", e.getKey()).get(0).get("status"));
            assertEquals(1, landing.count("select count(*) from ingest_run where subject = ? and outcome = 'rejected'", e.getKey()));
        }
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
