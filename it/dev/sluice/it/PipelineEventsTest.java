package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every landed file is told exactly once to sluice.events.uri (here a webhook: the shared WireMock's
 * POST /events) once its outcome is durable: file.loaded with its lineage (source, dataset, file name,
 * sha256, rows, bytes, run id, where the original is archived, outcome), file.rejected for a refused
 * file — also when the sink refuses the first delivery, and when the file's archive fails and it is
 * handled again on a later poll.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class PipelineEventsTest {

    /** Polls that pass after an event before "exactly one" is believed (the inbox is polled every 200 ms). */
    private static final long SETTLE_MS = 1500;

    @Inject
    Landing landing;
    @ConfigProperty(name = "SLUICE_DATA_DIR")
    Path dataDir;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    @Test
    void aLoadedFileShouldBeToldOnceWithItsLineage() throws Exception {
        String csv = "gauge_id,observed_at,rainfall_in\nEV-1,2024-08-01 00:00,0.10\nEV-1,2024-08-01 00:15,not-a-number\nEV-1,2024-08-01 00:30,0.30\n";
        landing.drop("rain-events.csv", csv);

        JsonNode event = awaitOnlyEvent("file.loaded", "rain-events.csv");
        assertEquals("1.0", event.get("specversion").asText());
        assertEquals("/sluice/landing", event.get("source").asText());
        assertEquals("rain-events.csv", event.get("subject").asText());
        assertFalse(event.get("id").asText().isBlank());
        JsonNode data = event.get("data");
        assertEquals("landing", data.get("source").asText());
        assertEquals("rain-events.csv", data.get("subject").asText());
        assertEquals("rain-gauge-readings", data.get("dataset").asText());
        assertEquals(sha256(csv.getBytes(StandardCharsets.UTF_8)), data.get("version").asText());
        assertEquals(csv.getBytes(StandardCharsets.UTF_8).length, data.get("bytes").asLong());
        assertEquals(2, data.get("rows").asLong());
        assertEquals(1, data.get("rowsRejected").asLong());
        assertEquals("loaded", data.get("outcome").asText());
        // the lineage is Sluice's own record of the file
        assertEquals(landing.count("select id from ingest_run where subject = 'rain-events.csv' and outcome = 'loaded'"),
                data.get("runId").asLong());
        assertEquals(landing.rows("select archive_key from file_ledger where identity = 'rain-events.csv'").get(0).get("archive_key"),
                data.get("storedAs").asText());
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'EV-1'"));

        // the same file again is another item: one more event, which says it was a duplicate
        landing.drop("rain-events.csv", csv);
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> Events.accepted("file.loaded", "rain-events.csv").size() == 2);
        Thread.sleep(SETTLE_MS);
        List<JsonNode> events = Events.accepted("file.loaded", "rain-events.csv");
        assertEquals(2, events.size(), events.toString());
        JsonNode duplicate = events.get(1).get("data");
        assertEquals("duplicate", duplicate.get("outcome").asText());
        assertEquals(0, duplicate.get("rows").asLong());
        assertEquals(landing.count("select id from ingest_run where subject = 'rain-events.csv' and outcome = 'duplicate'"),
                duplicate.get("runId").asLong());
        assertNotEquals(events.get(0).get("id").asText(), events.get(1).get("id").asText());
    }

    @Test
    void aRefusedFileShouldBeToldOnceAsRejected() throws Exception {
        String content = "id,amount\n1,2\n";
        landing.drop("events-no-dataset.csv", content);

        JsonNode event = awaitOnlyEvent("file.rejected", "events-no-dataset.csv");
        JsonNode data = event.get("data");
        assertEquals("landing", data.get("source").asText());
        assertEquals("rejected", data.get("outcome").asText());
        assertTrue(data.get("error").asText().contains("no dataset declaration matches"), data.toString());
        assertEquals(sha256(content.getBytes(StandardCharsets.UTF_8)), data.get("version").asText());
        assertEquals(content.length(), data.get("bytes").asLong());
        assertEquals(landing.count("select id from ingest_run where subject = 'events-no-dataset.csv' and outcome = 'rejected'"),
                data.get("runId").asLong());
        assertTrue(Files.exists(landing.error().resolve("events-no-dataset.csv")));
        assertEquals(List.of(), Events.accepted("file.loaded", "events-no-dataset.csv"));
    }

    @Test
    void anEventTheSinkRefusesOnceShouldBeDeliveredOnceOnRetry() throws Exception {
        StubMapping refuseFirst = Events.failFirstDelivery("rain-events-retry.csv", 503);
        try {
            landing.drop("rain-events-retry.csv", "gauge_id,observed_at,rainfall_in\nEVR-1,2024-08-02 00:00,0.2\n");

            awaitOnlyEvent("file.loaded", "rain-events-retry.csv");
            List<Events.Delivery> deliveries = Events.deliveries("file.loaded", "rain-events-retry.csv");
            assertEquals(List.of(503, 202), deliveries.stream().map(Events.Delivery::status).toList());
            // the retry is the same event: a consumer that saw the first one can tell by its id
            assertEquals(deliveries.get(0).event().get("id"), deliveries.get(1).event().get("id"));
            assertEquals(1, landing.count("select count(*) from ingest_run where subject = 'rain-events-retry.csv'"));
        } finally {
            Events.remove(refuseFirst);
        }
    }

    @Test
    void aFileWhoseArchiveFailsShouldBeToldOnceWhenItIsArchivedOnALaterPoll() throws Exception {
        String name = "rain-events-archive.csv";
        String csv = "gauge_id,observed_at,rainfall_in\nEVA-1,2024-08-03 00:00,0.3\nEVA-1,2024-08-03 00:15,0.4\n";
        // a directory (not empty) where the store would write the original: every archive of it fails
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Path blocked = dataDir.resolve("s3/objects").resolve(bucket).resolve("raw/rain-gauge-readings/%04d/%02d/%02d/%s"
                .formatted(today.getYear(), today.getMonthValue(), today.getDayOfMonth(), name));
        Files.createDirectories(blocked);
        Files.writeString(blocked.resolve("in-the-way"), "x");
        try {
            landing.drop(name, csv);

            // loaded, but its archive fails poll after poll: it waits in the inbox, and nothing is told yet
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from file_ledger where identity = ? and status = 'loaded'", name) == 1);
            Thread.sleep(SETTLE_MS);
            assertTrue(Files.exists(landing.inbox().resolve(name)), "waits for its archive");
            assertEquals(1, landing.count("select count(*) from file_ledger where identity = ? and status = 'loaded'", name));
            assertEquals(List.of(), Events.deliveries("file.loaded", name));
        } finally {
            Files.delete(blocked.resolve("in-the-way"));
            Files.delete(blocked);
        }

        // the store takes it on a later poll: archived, moved, and told once, with the rows of its one load
        JsonNode event = awaitOnlyEvent("file.loaded", name);
        assertEquals(1, landing.count("select count(*) from file_ledger where identity = ? and status = 'archived'", name));
        assertTrue(Files.exists(landing.done().resolve(name)));
        assertEquals(1, landing.count("select count(*) from ingest_run where subject = ?", name));
        assertEquals(landing.count("select id from ingest_run where subject = ?", name), event.get("data").get("runId").asLong());
        assertEquals(2, event.get("data").get("rows").asLong());
        assertEquals("loaded", event.get("data").get("outcome").asText());
        assertEquals(csv, new String(landing.object(event.get("data").get("storedAs").asText()), StandardCharsets.UTF_8));
    }

    /** Waits for the first accepted event of this type about this subject, lets a few polls pass, and insists it stayed the only one. */
    private static JsonNode awaitOnlyEvent(String type, String subject) throws InterruptedException {
        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> !Events.accepted(type, subject).isEmpty());
        Thread.sleep(SETTLE_MS);
        List<JsonNode> events = Events.accepted(type, subject);
        assertEquals(1, events.size(), "exactly one " + type + " event about " + subject + ": " + events);
        return events.get(0);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
