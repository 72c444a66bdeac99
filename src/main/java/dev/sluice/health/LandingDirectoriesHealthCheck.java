package dev.sluice.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Not ready while a landing directory cannot be written: a file dropped into inbox/ could not be
 * claimed, moved to done/ or error/. That happens when the volume is missing or mounted read-only,
 * or its owner is not Sluice's user (a pod without fsGroup), and the pod should get no traffic then.
 */
@Readiness
@ApplicationScoped
public class LandingDirectoriesHealthCheck implements HealthCheck {

    @ConfigProperty(name = "sluice.landing.inbox")
    String inbox;
    @ConfigProperty(name = "sluice.landing.done")
    String done;
    @ConfigProperty(name = "sluice.landing.error")
    String error;

    @Override
    public HealthCheckResponse call() {
        return check(Map.of("inbox", Path.of(inbox), "done", Path.of(done), "error", Path.of(error)));
    }

    /** UP when every directory exists (or can be made) and a file can be created and removed in it. */
    static HealthCheckResponse check(Map<String, Path> directories) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("landing directories");
        boolean writable = true;
        for (Map.Entry<String, Path> directory : new java.util.TreeMap<>(directories).entrySet()) {
            String problem = problem(directory.getValue());
            response.withData(directory.getKey(), problem == null ? directory.getValue().toString()
                    : directory.getValue() + " is not writable: " + problem);
            writable &= problem == null;
        }
        return response.status(writable).build();
    }

    /** Why nothing can be written in {@code directory}, or null when it can. */
    private static String problem(Path directory) {
        try {
            Files.createDirectories(directory);
            // a real write, not Files.isWritable: permission bits say nothing about a read-only mount
            Path probe = Files.createTempFile(directory, ".sluice-ready-", ".probe");
            Files.delete(probe);
            return null;
        } catch (IOException | SecurityException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
