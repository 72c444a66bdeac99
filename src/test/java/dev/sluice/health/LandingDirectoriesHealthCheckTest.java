package dev.sluice.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness says whether files can land: each landing directory must take a new file. */
class LandingDirectoriesHealthCheckTest {

    @Test
    void writableLandingDirectoriesShouldBeReady(@TempDir Path data) throws Exception {
        HealthCheckResponse response = LandingDirectoriesHealthCheck.check(Map.of(
                "inbox", data.resolve("landing/inbox"), "done", data.resolve("landing/done"), "error", data.resolve("landing/error")));

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        // made when missing (a fresh volume), and nothing of the probe is left behind
        try (var left = Files.list(data.resolve("landing/inbox"))) {
            assertEquals(0, left.count());
        }
        assertEquals(data.resolve("landing/done").toString(), response.getData().orElseThrow().get("done"));
    }

    @Test
    void aLandingDirectoryThatCannotBeWrittenShouldMakeSluiceUnreadyAndSayWhich(@TempDir Path data) throws Exception {
        // a volume that is not there as a directory (here a file in its place): nothing can land in it
        Files.createDirectories(data.resolve("landing"));
        Files.writeString(data.resolve("landing/done"), "not a directory");

        HealthCheckResponse response = LandingDirectoriesHealthCheck.check(Map.of(
                "inbox", data.resolve("landing/inbox"), "done", data.resolve("landing/done"), "error", data.resolve("landing/error")));

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        String done = String.valueOf(response.getData().orElseThrow().get("done"));
        assertTrue(done.startsWith(data.resolve("landing/done") + " is not writable: "), done);
        assertEquals(data.resolve("landing/inbox").toString(), response.getData().orElseThrow().get("inbox"));
    }
}
