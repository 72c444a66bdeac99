package dev.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The Maven project Camel K 2.10.1's Quarkus builder generates for an integration, built the way it
 * builds it (apache/camel-k v2.10.1: pkg/builder/quarkus.go, pkg/util/camel/camel_dependencies.go,
 * pkg/trait/dependencies.go, pkg/trait/cron.go):
 * <ul>
 *   <li>GAV org.apache.camel.k.integration:camel-k-integration:2.10.1, property
 *       quarkus.package.jar.type=fast-jar;</li>
 *   <li>plain-quarkus runtime: io.quarkus.platform:quarkus-camel-bom and quarkus-bom at the
 *       runtime version, imported; plugin io.quarkus:quarkus-maven-plugin (goal build);</li>
 *   <li>dependencies: the CR's spec.dependencies, plus what the operator itself adds: the plain-quarkus
 *       catalog's runtime dependency camel-quarkus-core, the YAML DSL for the source's language, and
 *       camel:timer for a CronJob (the cron trait's rewritten `from`), the spec.dependencies of the
 *       Kamelet CRs the kamelets trait found. Not added here: the components
 *       the operator would discover in the route itself, so a modeline that forgets one fails;</li>
 *   <li>camel:X → org.apache.camel.quarkus:camel-quarkus-X, mvn:G:A[:V] → that artifact (versions
 *       of org.apache.camel* artifacts dropped: the BOM decides);</li>
 *   <li>src/main/resources/application.properties: the builder trait's properties and the four the
 *       builder always writes;</li>
 *   <li>`mvn package -Dmaven.test.skip=true`.</li>
 * </ul>
 * The build runs like the build running this test ({@link Maven}).
 */
final class CamelKBuilder {

    static final String CAMEL_K_VERSION = "2.10.1";
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    private CamelKBuilder() {
    }

    /** Writes the project into {@code directory}. */
    static void generate(CamelKIntegration integration, Path directory) throws IOException {
        generate(integration, List.of(), directory);
    }

    /**
     * Writes the project into {@code directory}, with the spec.dependencies of the Kamelet CRs the
     * kamelets trait found for it (pkg/trait/kamelets.go adds them to the build).
     */
    static void generate(CamelKIntegration integration, Collection<String> kameletCrs, Path directory) throws IOException {
        String provider = integration.traitText("camel", "runtimeProvider");
        String version = integration.traitText("camel", "runtimeVersion");
        if (!provider.equals("plain-quarkus") || version.isEmpty()) {
            throw new IllegalStateException(integration.name() + " pins no plain-quarkus runtime: Camel K " + CAMEL_K_VERSION
                    + " would build it on camel-k-runtime 3.15.3 (trait camel.runtimeProvider='" + provider + "', runtimeVersion='" + version + "')");
        }
        Files.createDirectories(directory.resolve("src/main/resources"));
        Files.writeString(directory.resolve("pom.xml"), pom(version, dependencies(integration, kameletDependencies(kameletCrs))));
        Map<String, String> properties = new TreeMap<>();
        properties.put("quarkus.package.jar.type", "fast-jar");
        for (String entry : integration.traitList("builder", "properties")) {
            String[] keyValue = entry.split("=", 2);
            properties.put(keyValue[0], keyValue[1]);
        }
        // written last by the builder: a builder trait property cannot change these
        properties.put("quarkus.banner.enabled", "false");
        properties.put("quarkus.camel.routes-discovery.enabled", "false");
        properties.put("quarkus.camel.service.discovery.include-patterns",
                "META-INF/services/org/apache/camel/datatype/converter/*,META-INF/services/org/apache/camel/datatype/transformer/*,"
                        + "META-INF/services/org/apache/camel/transformer/*");
        properties.put("quarkus.class-loading.parent-first-artifacts", "org.graalvm.regex:regex");
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(directory.resolve("src/main/resources/application.properties"), text);
    }

    /** The spec.dependencies of these Kamelet CRs. */
    private static List<String> kameletDependencies(Collection<String> kameletCrs) throws IOException {
        List<String> ids = new ArrayList<>();
        for (String cr : kameletCrs) {
            YAML.readTree(cr).path("spec").path("dependencies").forEach(d -> ids.add(d.asText()));
        }
        return ids;
    }

    /** groupId:artifactId → version (null: the BOM's), in the order the operator adds them. */
    static Map<String, String> dependencies(CamelKIntegration integration) {
        return dependencies(integration, List.of());
    }

    private static Map<String, String> dependencies(CamelKIntegration integration, List<String> kameletDependencies) {
        List<String> ids = new ArrayList<>(integration.dependencies());
        ids.addAll(kameletDependencies);
        ids.add("camel:core");
        ids.add("camel:yaml-dsl");
        if (integration.runsAsCronJob()) {
            ids.add("camel:timer");
        }
        Map<String, String> artifacts = new LinkedHashMap<>();
        for (String id : ids) {
            if (id.startsWith("camel:")) {
                String artifact = id.substring("camel:".length());
                artifacts.putIfAbsent("org.apache.camel.quarkus:" + (artifact.startsWith("camel-") ? artifact : "camel-quarkus-" + artifact), null);
            } else if (id.startsWith("mvn:")) {
                String[] gav = id.substring("mvn:".length()).split(":");
                // ParseGAV: g:a, g:a:version (a digit in it) or g:a:type, g:a:type:version[:classifier]
                String version = gav.length == 3 && gav[2].matches(".*\\d.*") ? gav[2] : gav.length >= 4 ? gav[3] : null;
                if (gav[0].equals("org.apache.camel") || gav[0].startsWith("org.apache.camel.")) {
                    version = null;
                }
                artifacts.putIfAbsent(gav[0] + ":" + gav[1], version);
            } else {
                throw new IllegalArgumentException(integration.name() + ": dependency kind the test does not model: " + id);
            }
        }
        return artifacts;
    }

    private static String pom(String platformVersion, Map<String, String> dependencies) {
        StringBuilder deps = new StringBuilder();
        dependencies.forEach((ga, version) -> {
            String[] parts = ga.split(":");
            deps.append("    <dependency>\n      <groupId>").append(parts[0]).append("</groupId>\n      <artifactId>")
                    .append(parts[1]).append("</artifactId>\n");
            if (version != null) {
                deps.append("      <version>").append(version).append("</version>\n");
            }
            deps.append("    </dependency>\n");
        });
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.apache.camel.k.integration</groupId>
                  <artifactId>camel-k-integration</artifactId>
                  <version>%s</version>
                  <properties>
                    <quarkus.package.jar.type>fast-jar</quarkus.package.jar.type>
                    <project.build.outputTimestamp>%s</project.build.outputTimestamp>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>io.quarkus.platform</groupId>
                        <artifactId>quarkus-camel-bom</artifactId>
                        <version>%s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                      <dependency>
                        <groupId>io.quarkus.platform</groupId>
                        <artifactId>quarkus-bom</artifactId>
                        <version>%s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                %s  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>io.quarkus</groupId>
                        <artifactId>quarkus-maven-plugin</artifactId>
                        <version>%s</version>
                        <extensions>true</extensions>
                        <executions>
                          <execution>
                            <id>build-integration</id>
                            <goals>
                              <goal>build</goal>
                            </goals>
                          </execution>
                        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(CAMEL_K_VERSION, OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS), platformVersion, platformVersion,
                deps, platformVersion);
    }

    /** `mvn package -Dmaven.test.skip=true` in the project; the time it took. Fails with the build's log. */
    static Duration build(Path project) throws IOException, InterruptedException {
        Path log = project.resolve("build.log");
        Instant started = Instant.now();
        int exit = Maven.run(project, log, Duration.ofMinutes(10), "package", "-Dmaven.test.skip=true");
        Duration took = Duration.between(started, Instant.now());
        if (exit != 0 || !Files.exists(project.resolve("target/quarkus-app/quarkus-run.jar"))) {
            throw new IllegalStateException("the integration's build failed (exit " + exit + "):\n" + tail(Files.readString(log), 120));
        }
        return took;
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    /**
     * Maven as a separate process, run like the build running this test (the pom hands its settings to the
     * test): offline when it is, on its local repository. It takes no lock the calling build may hold.
     */
    static final class Maven {

        private Maven() {
        }

        static int run(Path directory, Path log, Duration timeout, String... arguments) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("mvn", "-B"));
            if (Boolean.getBoolean("sluice.maven.offline")) {
                command.add("-o");
            }
            String localRepository = System.getProperty("sluice.maven.repository");
            if (localRepository != null && !localRepository.isBlank()) {
                command.add("-Dmaven.repo.local=" + localRepository);
            }
            command.addAll(List.of(arguments));
            Files.writeString(log, "$ " + String.join(" ", command) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // Maven's JVM only, not what it builds: a build of seconds is mostly JIT warm-up, which C1 alone
            // does quicker on two cores (the operator's builder pod may run Maven however it likes: same result)
            builder.environment().merge("MAVEN_OPTS", "-XX:TieredStopAtLevel=1", (mine, quick) -> mine + " " + quick);
            Process maven = builder.start();
            if (!maven.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                maven.descendants().forEach(ProcessHandle::destroyForcibly);
                maven.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " still runs after " + timeout + ":\n" + tail(Files.readString(log), 60));
            }
            return maven.exitValue();
        }
    }
}
