package dev.sluice.kubernetes;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each route file can be deployed alone (`kamel run routes/<file>`): whatever it calls with direct:
 * it defines itself, every component it uses and every bean it refers to is a dependency its own
 * modeline declares, and it names the processors artifact that holds those beans. (A static check of
 * the files against the processors' sources; it does not boot a context per file.)
 */
class RouteFilesStandAloneTest {

    /** URI scheme → the modeline dependency that provides it */
    private static final Map<String, String> COMPONENTS = Map.of(
            "cron", "camel:cron", "timer", "camel:timer", "file", "camel:file", "aws2-s3", "camel:aws2-s3",
            "direct", "camel:direct", "platform-http", "camel:platform-http");
    private static final Pattern URI = Pattern.compile("(?:uri|to): \"?([a-z0-9-]+):([^\"?\\s]*)");
    private static final Pattern FROM = Pattern.compile("from:\\s*\\n\\s*uri: \"?direct:([^\"\\s]+)");
    private static final Pattern TO_DIRECT = Pattern.compile("to: \"?direct:([^\"\\s]+)");
    private static final Pattern BEAN_REF = Pattern.compile("ref: ([a-zA-Z]+)");
    private static final Pattern POLICY = Pattern.compile("routePolicy: ([a-zA-Z]+)");
    private static final Pattern NAMED = Pattern.compile("@(?:jakarta\\.inject\\.)?Named\\(\"([a-zA-Z]+)\"\\)");

    @Test
    void everyRouteFileShouldDeclareWhatItNeedsAndNeedNoOtherRouteFile() throws Exception {
        Set<String> beans = processorBeans();
        List<Path> files;
        try (Stream<Path> list = Files.list(IntegrationGenerator.ROUTES)) {
            files = list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        Set<String> problems = new TreeSet<>();
        for (Path file : files) {
            String content = Files.readString(file);
            Set<String> dependencies = new HashSet<>();
            IntegrationGenerator.modeline(content).stream().filter(o -> o[0].equals("dependency")).forEach(o -> dependencies.add(o[1]));
            String name = file.getFileName().toString();
            if (dependencies.stream().noneMatch(d -> d.startsWith("mvn:dev.sluice:sluice-processors:"))) {
                problems.add(name + ": does not declare the processors artifact");
            }
            Matcher uri = URI.matcher(content);
            while (uri.find()) {
                String needed = COMPONENTS.get(uri.group(1));
                if (needed == null) {
                    problems.add(name + ": component " + uri.group(1) + " has no known dependency");
                } else if (!needed.equals("camel:direct") && !dependencies.contains(needed)) {
                    problems.add(name + ": uses " + uri.group(1) + ": but does not declare " + needed);
                }
            }
            if (content.contains("- rest:") && !(dependencies.contains("camel:rest") && dependencies.contains("camel:platform-http"))) {
                problems.add(name + ": REST DSL without camel:rest and camel:platform-http");
            }
            if (content.contains("library: Jackson") && !dependencies.contains("camel:jackson")) {
                problems.add(name + ": JSON marshalling without camel:jackson");
            }
            if (content.contains("routePolicy: leaderOnly") && !(dependencies.contains("camel:kubernetes") && dependencies.contains("camel:file"))) {
                problems.add(name + ": leader election (Lease or file lock) without camel:kubernetes and camel:file");
            }
            if (content.contains("bean:") && !dependencies.contains("camel:bean")) {
                problems.add(name + ": bean steps without camel:bean");
            }
            Set<String> defined = new HashSet<>();
            FROM.matcher(content).results().forEach(m -> defined.add(m.group(1)));
            TO_DIRECT.matcher(content).results().map(m -> m.group(1)).filter(d -> !defined.contains(d))
                    .forEach(d -> problems.add(name + ": calls direct:" + d + ", which another file would have to define"));
            Stream.concat(BEAN_REF.matcher(content).results(), POLICY.matcher(content).results()).map(m -> m.group(1))
                    .filter(b -> !beans.contains(b))
                    .forEach(b -> problems.add(name + ": refers to bean '" + b + "', which the processors do not provide"));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The @Named beans in processors/ (what the processors artifact provides). */
    private static Set<String> processorBeans() throws Exception {
        Set<String> beans = new HashSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("processors"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                NAMED.matcher(Files.readString(source)).results().forEach(m -> beans.add(m.group(1)));
            }
        }
        return beans;
    }
}
