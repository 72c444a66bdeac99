package dev.sluice.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Bucket sources as a user adds them: a route file starting at the sluice-bucket-source Kamelet,
 * dropped into a routes directory, with the shipped steps (copy, catalogue).
 */
final class BucketSourceFiles {

    /** A cron that does not fire during a test run: the source is polled when a test asks. */
    static final String NEVER = "0 0 0 1 1 ? 2099";

    private BucketSourceFiles() {
    }

    /** The route file of source {@code name} with these sluice-bucket-source parameters (besides source). */
    static String routeFile(String name, Map<String, String> parameters) {
        StringBuilder file = new StringBuilder("""
                - route:
                    id: ingest-%s
                    from:
                      uri: "kamelet:sluice-bucket-source/%s-poll"
                      parameters:
                        source: %s
                """.formatted(name, name, name));
        new java.util.TreeMap<>(parameters).forEach((key, value) ->
                file.append("        ").append(key).append(": \"").append(value.replace("\"", "\\\"")).append("\"\n"));
        return file.append("""
                      steps:
                        - kamelet:
                            name: "sluice-object-copy-action/%s-copy"
                        - to: "kamelet:sluice-catalog-sink/%s-catalogue"
                """.formatted(name, name)).toString();
    }

    /** Writes {@code <name>.camel.yaml} into a routes directory. */
    static Path write(Path routes, String name, Map<String, String> parameters) {
        try {
            return Files.writeString(routes.resolve(name + ".camel.yaml"), routeFile(name, parameters));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A routes directory for a Sluice process of a test: the repository's route files but its shipped
     * sources (a test's process polls only the sources it adds).
     */
    static Path copyRoutes(Path directory) {
        try {
            Path routes = Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path route : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    if (!Files.readString(route).contains("kamelet:sluice-bucket-source")) {
                        Files.copy(route, routes.resolve(route.getFileName()));
                    }
                }
            }
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
