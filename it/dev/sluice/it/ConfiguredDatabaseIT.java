package dev.sluice.it;

import dev.sluice.embedded.FreePort;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A configured database is used or fails loudly: Sluice never falls back to an embedded one. */
class ConfiguredDatabaseIT {

    @Test
    void anUnreachableConfiguredDatabaseShouldStopStartupWithThatError() throws Exception {
        Path base = Files.createTempDirectory("sluice-nodb-");
        Path data = base.resolve("data");
        int closedPort = FreePort.find();
        try (SluiceProcess sluice = SluiceProcess.start(data, Map.of(
                "SLUICE_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/sluice",
                "SLUICE_DB_USER", "sluice", "SLUICE_DB_PASSWORD", "not-a-real-password"))) {
            int exit = sluice.awaitExit(Duration.ofSeconds(90));
            String log = sluice.log();
            assertNotEquals(0, exit, log);
            assertTrue(log.contains("127.0.0.1:" + closedPort), "the log names the database it could not reach:\n" + log);
            assertFalse(log.contains("started embedded PostgreSQL"), log);
            assertFalse(log.contains("not-a-real-password"), "the password never appears in the log");
        } finally {
            TempDirs.delete(base);
        }
    }
}
