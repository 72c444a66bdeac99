package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app on the embedded default: kill -9 in the middle of loading a file, start again,
 * and the file is loaded exactly once; what was loaded before the crash is still there.
 */
class EmbeddedDefaultCrashIT {

    private static final int ROWS = 1_500_000;

    @Test
    void aKillDuringALoadShouldEndWithTheFileLoadedExactlyOnceAfterRestart() throws Exception {
        Path base = Files.createTempDirectory("sluice-crash-");
        try {
            crashAndRestart(base);
        } finally {
            TempDirs.delete(base);
        }
    }

    private void crashAndRestart(Path base) throws Exception {
        Path data = base.resolve("data");
        Path inbox = data.resolve("landing/inbox");

        String firstUrl;
        try (SluiceProcess first = SluiceProcess.start(data, Map.of())) {
            firstUrl = first.awaitStarted(Duration.ofSeconds(90));
            // a small file loaded before the crash
            drop(inbox, "rain-before.csv", "gauge_id,observed_at,rainfall_in\nBEFORE-1,2024-01-01 00:00,0.5\n");
            await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> count(firstUrl, "select count(*) from file_ledger where identity = 'rain-before.csv' and status = 'archived'") == 1);

            // a big file, and a kill -9 while its COPY is running
            Path big = base.resolve("rain-big.csv");
            writeRows(big, ROWS);
            Files.move(big, inbox.resolve("rain-big.csv"));
            await().atMost(60, TimeUnit.SECONDS).pollInterval(20, TimeUnit.MILLISECONDS).until(() -> count(firstUrl,
                    "select count(*) from pg_stat_activity where state = 'active' and query ilike 'COPY rain_readings%'") > 0);
            first.kill();
        }
        assertTrue(Files.exists(inbox.resolve("rain-big.csv")), "the interrupted file is still in the inbox");

        try (SluiceProcess second = SluiceProcess.start(data, Map.of())) {
            String url = second.awaitStarted(Duration.ofSeconds(90));
            // archived, and then moved to done/
            await().atMost(180, TimeUnit.SECONDS).pollDelay(500, TimeUnit.MILLISECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                    .until(() -> count(url, "select count(*) from file_ledger where identity = 'rain-big.csv' and status = 'archived'") == 1
                            && Files.exists(data.resolve("landing/done/rain-big.csv")));

            assertEquals(ROWS, count(url, "select count(*) from rain_readings where gauge_id like 'BIG-%'"));
            assertEquals(1, count(url, "select count(*) from rain_readings where gauge_id = 'BEFORE-1'"), "data from before the crash survives");
            assertEquals(1, count(url, "select count(*) from ingest_run where subject = 'rain-big.csv' and outcome = 'loaded'"));
            assertEquals(1, count(url, "select count(*) from file_ledger where identity = 'rain-big.csv'"));
            assertTrue(Files.exists(data.resolve("landing/done/rain-big.csv")));
            try (var archived = Files.walk(data.resolve("s3/objects/sluice/raw/rain-gauge-readings"))) {
                Path object = archived.filter(p -> p.getFileName().toString().equals("rain-big.csv")).findFirst().orElseThrow();
                assertEquals(Files.size(data.resolve("landing/done/rain-big.csv")), Files.size(object));
            }
        }
    }

    private static void drop(Path inbox, String name, String content) throws Exception {
        Files.createDirectories(inbox);
        Path staging = Files.writeString(inbox.resolveSibling(name + ".tmp"), content);
        Files.move(staging, inbox.resolve(name));
    }

    static void writeRows(Path file, int rows) throws Exception {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("gauge_id,observed_at,rainfall_in\n");
            java.time.LocalDateTime start = java.time.LocalDateTime.of(2024, 1, 1, 0, 0);
            java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
            for (int i = 0; i < rows; i++) {
                // 100k five-minute readings per gauge: every (gauge, time) is unique
                out.write("BIG-" + (i / 100_000) + "," + start.plusMinutes(5L * (i % 100_000)).format(format)
                        + "," + (i % 997) / 100.0 + "\n");
            }
        }
    }

    private static long count(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url);
             ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }
}
