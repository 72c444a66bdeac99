package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each route file boots alone: the packaged app started with a routes directory holding only that
 * file starts every route the file defines, with no error — no route file needs another one.
 * (The app's classpath is the whole app's; CamelKBuildIT builds each file with only its declared dependencies.)
 */
class RouteFilesAloneIT {

    private static final Pattern ROUTE_ID = Pattern.compile("- route:\\s*\\n\\s+id: ([a-z0-9-]+)");

    @Test
    void everyRouteFileShouldStartOnItsOwn() throws Exception {
        Path base = Files.createTempDirectory("sluice-alone-");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(base.resolve("postgres"));
        EmbeddedS3Server store = EmbeddedS3Server.start(base.resolve("store"));
        List<String> failures = new ArrayList<>();
        try (Stream<Path> list = Files.list(Path.of("routes"))) {
            for (Path file : list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList()) {
                String name = file.getFileName().toString();
                Path routes = Files.createDirectories(base.resolve(name + "-routes"));
                Files.copy(file, routes.resolve(name));
                Map<String, String> environment = Map.of(
                        "SLUICE_DB_URL", postgres.jdbcUrl(), "SLUICE_DB_USER", postgres.username(), "SLUICE_DB_PASSWORD", postgres.password(),
                        "SLUICE_S3_ENDPOINT", store.endpoint().toString(), "SLUICE_S3_ACCESS_KEY", store.accessKey(),
                        "SLUICE_S3_SECRET_KEY", store.secretKey(), "SLUICE_ROUTES_DIR", routes.toString(),
                        "SLUICE_SOURCES_ENABLED", "none");
                try (SluiceProcess sluice = SluiceProcess.start(Files.createDirectories(base.resolve(name + "-data")), environment)) {
                    String log = awaitListening(sluice, Duration.ofSeconds(90));
                    if (log.contains("Failed to start") || log.contains(" ERROR ")) {
                        failures.add(name + ": errors at startup\n" + log);
                        continue;
                    }
                    Matcher ids = ROUTE_ID.matcher(Files.readString(file));
                    while (ids.find()) {
                        if (!log.contains("Started " + ids.group(1) + " (")) {
                            failures.add(name + ": route " + ids.group(1) + " did not start\n" + log);
                        }
                    }
                }
            }
        } finally {
            store.close();
            postgres.close();
            TempDirs.delete(base);
        }
        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
    }

    private static String awaitListening(SluiceProcess sluice, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String log = sluice.log();
            if (log.contains("Listening on:") || log.contains("Failed to start")) {
                Thread.sleep(500);
                return sluice.log();
            }
            Thread.sleep(200);
        }
        return sluice.log() + "\n(did not start within " + timeout + ")";
    }
}
