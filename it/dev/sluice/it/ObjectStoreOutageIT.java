package dev.sluice.it;

import dev.sluice.embedded.EmbeddedS3Server;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The object store fails under a running Sluice (a gate in front of it refuses connections):
 * readiness says so (ObjectStoreHealthCheck), a landed file is loaded but waits in the inbox for its
 * archive — retried every poll without adding ingest_run rows or filling the log — and once the store
 * is back it is archived exactly once and moves to done/.
 */
class ObjectStoreOutageIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aFileShouldWaitForTheObjectStoreAndBeArchivedOnceWhenItIsBack() throws Exception {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        Path base = Files.createTempDirectory("sluice-s3-outage-");
        EmbeddedS3Server store = EmbeddedS3Server.start(base.resolve("store"));
        Path data = Files.createDirectories(base.resolve("data"));
        Path inbox = data.resolve("landing/inbox");
        try (TcpGate gate = TcpGate.to(store.endpoint())) {
            Map<String, String> environment = new HashMap<>();
            environment.put("SLUICE_S3_ENDPOINT", gate.endpoint().toString());
            environment.put("SLUICE_S3_ACCESS_KEY", store.accessKey());
            environment.put("SLUICE_S3_SECRET_KEY", store.secretKey());
            try (SluiceProcess sluice = SluiceProcess.start(data, environment)) {
                String jdbc = sluice.awaitStarted(Duration.ofSeconds(120));
                awaitStatus(sluice.url() + "/q/health/ready", 200, Duration.ofSeconds(30));

                // whoever meets the outage first (the archive below, or a silver run's cron tick while readiness is
                // still being asked) tells it: counted from the moment the gate shuts
                int logAtShut = sluice.log().length();
                gate.shut();
                HttpResponse<String> down = awaitStatus(sluice.url() + "/q/health/ready", 503, Duration.ofSeconds(30));
                assertTrue(down.body().contains("\"object store\"") && down.body().contains("\"DOWN\""), down.body());
                int logBefore = sluice.log().length();

                Files.createDirectories(inbox);
                Path staging = Files.writeString(data.resolve("rain-s3-outage.csv.tmp"),
                        "gauge_id,observed_at,rainfall_in\nS3OUT-1,2024-07-01 00:00,0.3\nS3OUT-1,2024-07-01 00:15,0.4\n");
                Files.move(staging, inbox.resolve("rain-s3-outage.csv"));

                // loaded while the store is away, and still waiting for its archive poll after poll
                await(() -> Api.count(jdbc, "select count(*) from file_ledger where identity = 'rain-s3-outage.csv' and status = 'loaded'") == 1,
                        Duration.ofSeconds(60), sluice);
                Thread.sleep(10_000);
                assertTrue(Files.exists(inbox.resolve("rain-s3-outage.csv")), "the file waits in the inbox");
                assertEquals(2, Api.count(jdbc, "select count(*) from rain_readings where gauge_id = 'S3OUT-1'"));
                assertEquals(1, Api.count(jdbc, "select count(*) from ingest_run where subject = 'rain-s3-outage.csv'"),
                        "retrying the archive adds no run rows");
                assertEquals(1, Api.count(jdbc, "select count(*) from file_ledger where identity = 'rain-s3-outage.csv' and status = 'loaded'"));
                String outageLog = sluice.log().substring(logBefore);
                assertEquals(1, count(sluice.log().substring(logAtShut), "The object store fails"), outageLog);
                assertTrue(outageLog.length() < 8_000, "the log grew " + outageLog.length() + " bytes during the outage:\n" + outageLog);

                gate.open();
                awaitStatus(sluice.url() + "/q/health/ready", 200, Duration.ofSeconds(60));
                await(() -> !Files.exists(inbox.resolve("rain-s3-outage.csv"))
                        && Api.count(jdbc, "select count(*) from file_ledger where identity = 'rain-s3-outage.csv' and status = 'archived'") == 1,
                        Duration.ofSeconds(60), sluice);
                assertTrue(Files.exists(data.resolve("landing/done/rain-s3-outage.csv")));
                assertEquals(1, Api.count(jdbc, "select count(*) from ingest_run where subject = 'rain-s3-outage.csv'"));
                assertEquals(1, Api.count(jdbc, "select count(*) from ingest_run where subject = 'rain-s3-outage.csv' and outcome = 'loaded'"));
                assertEquals(1, Api.count(jdbc, "select count(*) from file_ledger where identity = 'rain-s3-outage.csv'"));
                assertEquals(0, Api.count(jdbc, "select count(*) from landing_attempt"));
                try (var objects = Files.walk(base.resolve("store/objects/sluice/raw/rain-gauge-readings"))) {
                    assertEquals(1, objects.filter(p -> p.getFileName().toString().equals("rain-s3-outage.csv")).count(), "archived once");
                }
                assertEquals(1, count(sluice.log().substring(logBefore), "The object store works again"));
            }
        } finally {
            store.close();
            TempDirs.delete(base);
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    interface Condition {
        boolean met() throws Exception;
    }

    static void await(Condition condition, Duration timeout, SluiceProcess sluice) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.met()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not within " + timeout + "; log:\n" + sluice.log());
    }

    static HttpResponse<String> awaitStatus(String url, int status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " did not answer " + status + " within " + timeout + "; last: "
                + (last == null ? "nothing" : last.statusCode() + " " + last.body()));
    }
}
