package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.sluice.it.ObjectStoreOutageIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No file can crash-loop Sluice (the packaged jar, -Xmx256m): a 51 MB single-object JSON document
 * is refused to error/ without being read into memory, and a file that stops Sluice every time it is
 * read (here: kill -9 during its load) counts an attempt each time, durably and before it is read, so
 * that after SLUICE_MAX_ATTEMPTS it goes to error/ instead of being read again.
 */
class LandingCrashLoopIT {

    @Test
    void aHugeSingleObjectJsonDocumentShouldGoToErrorAndSluiceShouldLive() throws Exception {
        Path base = Files.createTempDirectory("sluice-huge-json-");
        Path data = base.resolve("data");
        Path inbox = data.resolve("landing/inbox");
        try (SluiceProcess sluice = SluiceProcess.start(data, Map.of("SLUICE_SOURCES_ENABLED", "none"))) {
            String jdbc = sluice.awaitStarted(Duration.ofSeconds(120));
            // one object of 51 MB: many fields, the way the document that ran Sluice out of memory was made
            Path huge = base.resolve("gauge-huge.json");
            try (BufferedWriter out = Files.newBufferedWriter(huge, StandardCharsets.UTF_8)) {
                out.write("{\"gauge_id\": \"HUGE-1\"");
                for (int i = 0; i < 850_000; i++) {
                    out.write(", \"reading_" + i + "\": {\"at\": \"2024-01-01T00:00:00Z\", \"in\": 0." + (i % 1000) + "}");
                }
                out.write("}");
            }
            assertTrue(Files.size(huge) > 51L * 1000 * 1000, "size " + Files.size(huge));
            Files.createDirectories(inbox);
            Files.move(huge, inbox.resolve("gauge-huge.json"));
            Files.writeString(base.resolve("gauge-small.json"), "{\"gauge_id\": \"SMALL-1\", \"name\": \"after the huge one\"}");
            Files.move(base.resolve("gauge-small.json"), inbox.resolve("gauge-small.json"));

            await(() -> Landing.written(data.resolve("landing/error/gauge-huge.json.reason.txt")), Duration.ofSeconds(120), sluice);
            String reason = Files.readString(data.resolve("landing/error/gauge-huge.json.reason.txt"));
            assertTrue(reason.contains("sluice.ingest.json.max-object-bytes"), reason);
            await(() -> Api.count(jdbc, "select count(*) from gauges where gauge_id = 'SMALL-1'") == 1, Duration.ofSeconds(60), sluice);
            assertEquals(0, Api.count(jdbc, "select count(*) from gauges where gauge_id = 'HUGE-1'"));
            assertFalse(sluice.log().contains("OutOfMemoryError"), sluice.log());
            assertEquals(0, ObjectStoreOutageIT.count(sluice.log(), "\tat "), sluice.log());
        } finally {
            TempDirs.delete(base);
        }
    }

    @Test
    void aFileThatStopsSluiceWhileItIsReadShouldGoToErrorAfterMaxAttempts() throws Exception {
        Path base = Files.createTempDirectory("sluice-crash-loop-");
        Path data = base.resolve("data");
        Path inbox = data.resolve("landing/inbox");
        Map<String, String> environment = Map.of("SLUICE_MAX_ATTEMPTS", "2", "SLUICE_SOURCES_ENABLED", "none");
        try {
            Path big = base.resolve("rain-crasher.csv");
            EmbeddedDefaultCrashIT.writeRows(big, 1_500_000);
            Files.createDirectories(inbox);
            Files.move(big, inbox.resolve("rain-crasher.csv"));

            for (int attempt = 1; attempt <= 2; attempt++) {
                try (SluiceProcess sluice = SluiceProcess.start(data, environment)) {
                    String jdbc = sluice.awaitStarted(Duration.ofSeconds(120));
                    // reading it: its COPY runs — and the attempt is on record already
                    await(() -> Api.count(jdbc, "select count(*) from pg_stat_activity where state = 'active' and query ilike 'COPY rain_readings%'") > 0,
                            Duration.ofSeconds(90), sluice);
                    assertEquals(attempt, Api.count(jdbc, "select attempts from landing_attempt where path like '%/rain-crasher.csv'"));
                    sluice.kill();
                }
                assertTrue(Files.exists(inbox.resolve("rain-crasher.csv")));
            }

            try (SluiceProcess sluice = SluiceProcess.start(data, environment)) {
                String jdbc = sluice.awaitStarted(Duration.ofSeconds(120));
                await(() -> Landing.written(data.resolve("landing/error/rain-crasher.csv.reason.txt")), Duration.ofSeconds(60), sluice);
                String reason = Files.readString(data.resolve("landing/error/rain-crasher.csv.reason.txt"));
                assertTrue(reason.contains("failed in 2 attempts"), reason);
                assertTrue(reason.contains("never finished"), reason);
                assertFalse(Files.exists(inbox.resolve("rain-crasher.csv")));
                assertFalse(sluice.log().contains("Landed rain-crasher.csv"), "not read a third time:\n" + sluice.log());
                assertEquals(0, Api.count(jdbc, "select count(*) from rain_readings where gauge_id like 'BIG-%'"));
                assertEquals(1, Api.count(jdbc, "select count(*) from ingest_run where subject = 'rain-crasher.csv' and outcome = 'rejected'"));
                assertEquals(0, Api.count(jdbc, "select count(*) from landing_attempt"));
            }
        } finally {
            TempDirs.delete(base);
        }
    }
}
