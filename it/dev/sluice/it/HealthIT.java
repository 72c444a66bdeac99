package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness follows the database: PostgreSQL stopped under a running Sluice → /q/health/ready
 * answers 503 (DOWN) while liveness stays UP; PostgreSQL back → 200 (UP), without restarting Sluice.
 */
class HealthIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessShouldGoDownWithPostgresAndComeBackWithIt() throws Exception {
        Path base = Files.createTempDirectory("sluice-health-");
        Path pgData = base.resolve("postgres");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(pgData);
        int port = postgres.port();
        try (SluiceProcess sluice = SluiceProcess.start(Files.createDirectories(base.resolve("data")), Map.of(
                "SLUICE_DB_URL", postgres.jdbcUrl(), "SLUICE_DB_USER", postgres.username(), "SLUICE_DB_PASSWORD", postgres.password()))) {
            sluice.awaitStarted(Duration.ofSeconds(120));
            awaitStatus(sluice.url() + "/q/health/ready", 200, Duration.ofSeconds(30));
            assertTrue(get(sluice.url() + "/q/health/started").statusCode() == 200, "the startup check answers UP");

            postgres.close();
            HttpResponse<String> down = awaitStatus(sluice.url() + "/q/health/ready", 503, Duration.ofSeconds(60));
            assertTrue(down.body().contains("\"DOWN\""), down.body());
            assertEquals(200, get(sluice.url() + "/q/health/live").statusCode(), "a lost database does not make Sluice restart-worthy");

            postgres = EmbeddedPostgresServer.start(pgData, port);
            HttpResponse<String> up = awaitStatus(sluice.url() + "/q/health/ready", 200, Duration.ofSeconds(90));
            assertTrue(up.body().contains("\"UP\""), up.body());
        } finally {
            postgres.close();
            TempDirs.delete(base);
        }
    }

    private static HttpResponse<String> awaitStatus(String url, int status, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<String> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = get(url);
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(url + " did not answer " + status + " within " + timeout + "; last: "
                + (last == null ? "nothing" : last.statusCode() + " " + last.body()));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
