package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.sluice.it.Api.count;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The outbox publisher killed with SIGKILL part-way through its batches (claimed ranges, files
 * stored, marks pending: whatever it was doing): after a restart every event is in bronze exactly
 * once and published. Small on purpose: one kill, 100 batches of 200.
 */
class OutboxCrashIT {

    private static final int EVENTS = 20_000;

    @Test
    void aKilledPublisherShouldPublishEveryEventExactlyOnceAfterARestart() throws Exception {
        Path base = Files.createTempDirectory("sluice-outbox-crash-");
        try {
            Path data = base.resolve("data");
            Map<String, String> env = Map.of("SLUICE_SOURCES_ENABLED", "none", "SLUICE_OUTBOX_BATCH_SIZE", "200");
            AtomicLong publishedAtKill = new AtomicLong();
            try (SluiceProcess sluice = SluiceProcess.start(data, env)) {
                String jdbc = sluice.awaitStarted(Duration.ofSeconds(90));
                try (Connection db = DriverManager.getConnection(jdbc); Statement s = db.createStatement()) {
                    s.executeUpdate("""
                            insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at)
                            select 'order', 'OrderPlaced', 'crash', jsonb_build_object('n', g), timestamptz '2025-08-01' + g * interval '10 second'
                            from generate_series(1, %d) g""".formatted(EVENTS));
                }
                // killed once a few batches are out, well before the 100th
                await().atMost(60, TimeUnit.SECONDS).pollInterval(10, TimeUnit.MILLISECONDS).until(() -> {
                    publishedAtKill.set(count(jdbc, "select count(*) from bronze_batch where status = 'published'"));
                    return publishedAtKill.get() >= 3;
                });
                sluice.kill();
            }
            assertTrue(publishedAtKill.get() < EVENTS / 200, "killed part-way (" + publishedAtKill + " batches published)");

            try (SluiceProcess again = SluiceProcess.start(data, env)) {
                String jdbc = again.awaitStarted(Duration.ofSeconds(90));
                await().atMost(120, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                        .until(() -> count(jdbc, "select count(*) from outbox where published_at is null") == 0);
                assertEquals(0, count(jdbc, "select count(*) from bronze_batch where status <> 'published'"));
                assertEquals(EVENTS, count(jdbc, "select sum(events) from bronze_batch"));
            }
            // every event in exactly one bronze file, as the store holds them
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
                 ResultSet r = s.executeQuery("select count(*), count(distinct event_id), min(event_id), max(event_id) from read_parquet('"
                         + data.resolve("s3/objects/sluice/bronze/events") + "/**/*.parquet')")) {
                r.next();
                assertEquals(EVENTS, r.getLong(1), "events in bronze");
                assertEquals(EVENTS, r.getLong(2), "distinct events in bronze");
                assertEquals(1, r.getLong(3));
                assertEquals(EVENTS, r.getLong(4));
            }
        } finally {
            TempDirs.delete(base);
        }
    }
}
