package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each route file can be deployed alone (`kamel run routes/<file>`): whatever it calls with direct:
 * it defines itself, every component it uses and every bean it refers to is a dependency its own
 * modeline declares, it names the processors artifact that holds those beans (the version
 * processors/pom.xml publishes), runs on the app's Quarkus platform, and hands the integration every
 * setting the processors cannot start without. (A static check of the files against the processors'
 * sources; CamelKBuildIT builds and runs the integrations.)
 */
class RouteFilesStandAloneTest {

    /** URI scheme → the modeline dependency that provides it */
    private static final Map<String, String> COMPONENTS = Map.of(
            "cron", "mvn:org.apache.camel:camel-cron", "timer", "camel:timer", "file", "camel:file", "aws2-s3", "camel:aws2-s3",
            "direct", "camel:direct", "platform-http", "camel:platform-http", "seda", "camel:seda", "kamelet", "camel:kamelet");
    /** a Kamelet a route uses: kamelet:NAME in a from/to URI, or the kamelet: step's name */
    private static final Pattern KAMELET = Pattern.compile("(?:(?:uri|to): \"?kamelet:|- kamelet:\\s*\\n\\s*name: \"?)([a-z0-9-]+)");
    private static final Pattern URI = Pattern.compile("(?:uri|to): \"?([a-z0-9-]+):([^\"?\\s]*)");
    private static final Pattern FROM = Pattern.compile("from:\\s*\\n\\s*uri: \"?direct:([^\"\\s]+)");
    private static final Pattern TO_DIRECT = Pattern.compile("to: \"?direct:([^\"\\s]+)");
    private static final Pattern BEAN_REF = Pattern.compile("ref: ([a-zA-Z]+)");
    private static final Pattern POLICY = Pattern.compile("routePolicy: ([a-zA-Z]+)");
    private static final Pattern NAMED = Pattern.compile("@(?:jakarta\\.inject\\.)?Named\\(\"([a-zA-Z]+)\"\\)");
    /** a setting read without a default: ${SLUICE_X} in the processors' configuration */
    private static final Pattern REQUIRED_SETTING = Pattern.compile("\\$\\{(SLUICE_[A-Z0-9_]+)}");
    /** a setting a bean reads without a default */
    private static final Pattern REQUIRED_PROPERTY = Pattern.compile("@ConfigProperty\\(name = \"(SLUICE_[A-Z0-9_]+)\"\\)");
    private static final Pattern VERSION = Pattern.compile("<artifactId>(sluice|sluice-processors)</artifactId>\\s*(?:<!--[^>]*-->\\s*)?<version>([^<]+)</version>");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern PLATFORM = Pattern.compile("<quarkus\\.platform\\.version>([^<]+)</quarkus\\.platform\\.version>");

    @Test
    void everyRouteFileShouldDeclareWhatItNeedsAndNeedNoOtherRouteFile() throws Exception {
        Set<String> beans = processorBeans();
        Set<String> required = requiredSettings();
        String pom = Files.readString(Path.of("processors/pom.xml"));
        String processors = "mvn:dev.sluice:sluice-processors:" + match(VERSION, pom, 2);
        String platform = match(PLATFORM, pom, 1);
        // the shipped route files and those shipped disabled (routes/available/: copied into routes/ to enable one)
        List<Path> files = IntegrationGenerator.routeFiles(true);
        assertTrue(files.stream().anyMatch(f -> f.startsWith(IntegrationGenerator.AVAILABLE_ROUTES)), "routes/available/: " + files);
        Map<String, String> kamelets = kamelets();
        Set<String> processorsDependencies = new HashSet<>();
        Pattern dependency = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>");
        dependency.matcher(pom).results().forEach(m -> processorsDependencies.add("mvn:" + m.group(1) + ":" + m.group(2)));
        Set<String> problems = new TreeSet<>();
        for (Path file : files) {
            String routes = Files.readString(file);
            Set<String> dependencies = new HashSet<>();
            IntegrationGenerator.modeline(routes).stream().filter(o -> o[0].equals("dependency")).forEach(o -> dependencies.add(o[1]));
            String name = IntegrationGenerator.ROUTES.relativize(file).toString();
            // the Kamelets it uses run in its integration: what their templates use, the file must declare too (the
            // operator adds a Kamelet's dependencies only when it finds the Kamelet as a CR, not in a jar)
            StringBuilder withKamelets = new StringBuilder(routes);
            Set<String> declared = new HashSet<>();
            dependencies.forEach(d -> declared.add(withoutVersion(d)));
            if (dependencies.contains(processors)) {
                // what the processors artifact depends on comes with it (camel-resilience4j: Camel K would drop a
                // modeline's version of an org.apache.camel artifact the BOM does not manage)
                declared.addAll(processorsDependencies);
            }
            for (String used : new TreeSet<>(KAMELET.matcher(routes).results().map(m -> m.group(1)).filter(k -> !Set.of("source", "sink").contains(k)).toList())) {
                String kameletFile = kamelets.get(used);
                if (kameletFile == null) {
                    problems.add(name + ": uses Kamelet " + used + ", which src/main/resources/kamelets/ does not ship");
                    continue;
                }
                // its template as written (spec.template, the file's last part)
                assertTrue(kameletFile.contains("\n  template:\n"), used + ": spec.template last");
                withKamelets.append('\n').append(kameletFile.substring(kameletFile.indexOf("\n  template:\n")));
                YAML.readTree(kameletFile).path("spec").path("dependencies").forEach(d -> {
                    if (!declared.contains(withoutVersion(d.asText()))) {
                        problems.add(name + ": uses Kamelet " + used + " but does not declare its dependency " + d.asText());
                    }
                });
            }
            String content = withKamelets.toString();
            if (dependencies.stream().noneMatch(d -> d.startsWith("mvn:dev.sluice:sluice-processors:"))) {
                problems.add(name + ": does not declare the processors artifact");
            }
            Matcher uri = URI.matcher(content);
            while (uri.find()) {
                String needed = COMPONENTS.get(uri.group(1));
                if (needed == null) {
                    problems.add(name + ": component " + uri.group(1) + " has no known dependency");
                } else if (!dependencies.contains(needed)) {
                    problems.add(name + ": uses " + uri.group(1) + ": but does not declare " + needed);
                }
            }
            if (content.contains("- rest:") && !(dependencies.contains("camel:rest") && dependencies.contains("camel:platform-http"))) {
                problems.add(name + ": REST DSL without camel:rest and camel:platform-http");
            }
            // the REST DSL binds JSON with Jackson (camel.rest.binding-mode=json in the processors' configuration)
            if ((content.contains("library: Jackson") || content.contains("- rest:")) && !dependencies.contains("camel:jackson")) {
                problems.add(name + ": JSON marshalling without camel:jackson");
            }
            // Camel K would drop a modeline's version of camel-resilience4j (no BOM version): the processors jar brings it
            if (content.contains("circuitBreaker:") && !pom.contains("<artifactId>camel-resilience4j</artifactId>")) {
                problems.add(name + ": circuitBreaker, but the processors jar does not bring camel-resilience4j");
            }
            if (content.contains("routePolicy: leaderOnly") && !(dependencies.contains("camel:kubernetes") && dependencies.contains("camel:file"))) {
                problems.add(name + ": leader election (Lease or file lock) without camel:kubernetes and camel:file");
            }
            Map<String, String> traits = new java.util.HashMap<>();
            Set<String> environment = new TreeSet<>();
            for (String[] option : IntegrationGenerator.modeline(content)) {
                if (option[0].equals("trait")) {
                    String[] keyValue = option[1].split("=", 2);
                    if (keyValue[0].equals("environment.vars")) {
                        environment.add(keyValue[1].split("=", 2)[0]);
                    } else {
                        traits.put(keyValue[0], keyValue[1]);
                    }
                }
            }
            if (!"plain-quarkus".equals(traits.get("camel.runtime-provider")) || !platform.equals(traits.get("camel.runtime-version"))) {
                problems.add(name + ": does not pin trait=camel.runtime-provider=plain-quarkus trait=camel.runtime-version=" + platform);
            }
            if (dependencies.stream().anyMatch(d -> d.startsWith("mvn:dev.sluice:sluice-processors:") && !d.equals(processors))) {
                problems.add(name + ": names another processors version than processors/pom.xml publishes (" + processors + ")");
            }
            for (String setting : required) {
                if (!environment.contains(setting)) {
                    problems.add(name + ": does not set " + setting + " (trait=environment.vars=" + setting + "=...), which the processors need");
                }
            }
            if (dependencies.contains("camel:platform-http")) {
                // every endpoint but the health checks wants credentials (dev.sluice.security.ApiSecurity): the console
                // user's password, and the reader's (may be empty: no reader)
                for (String setting : List.of("SLUICE_CONSOLE_PASSWORD", "SLUICE_READER_PASSWORD")) {
                    if (!environment.contains(setting)) {
                        problems.add(name + ": serves HTTP but does not set " + setting + " (trait=environment.vars=" + setting + "=secret:…)");
                    }
                }
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

    @Test
    void theProcessorsArtifactShouldBeBuiltOnTheAppsVersionAndPlatform() throws Exception {
        String app = Files.readString(Path.of("pom.xml"));
        String processors = Files.readString(Path.of("processors/pom.xml"));
        assertEquals(match(VERSION, app, 2), match(VERSION, processors, 2), "processors/pom.xml publishes the app's version");
        assertEquals(match(PLATFORM, app, 1), match(PLATFORM, processors, 1), "processors/pom.xml builds on the app's Quarkus platform");
    }

    /** SLUICE_* settings without a default: in the processors' configuration, or read by a bean. */
    private static Set<String> requiredSettings() throws Exception {
        Set<String> required = new TreeSet<>();
        REQUIRED_SETTING.matcher(Files.readString(Path.of("src/main/resources/META-INF/microprofile-config.properties")))
                .results().forEach(m -> required.add(m.group(1)));
        try (Stream<Path> sources = Files.walk(Path.of("processors"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                REQUIRED_PROPERTY.matcher(Files.readString(source)).results().forEach(m -> required.add(m.group(1)));
            }
        }
        assertTrue(required.contains("SLUICE_DB_URL") && required.contains("SLUICE_S3_ENDPOINT"), required.toString());
        return required;
    }

    /** The shipped Kamelets' files, by Kamelet name. */
    private static Map<String, String> kamelets() throws Exception {
        Map<String, String> kamelets = new java.util.TreeMap<>();
        for (String content : IntegrationGenerator.kamelets().values()) {
            kamelets.put(YAML.readTree(content).path("metadata").path("name").asText(), content);
        }
        assertTrue(kamelets.containsKey("sluice-bucket-source"), kamelets.keySet().toString());
        return kamelets;
    }

    /** mvn:G:A[:V] → mvn:G:A (for an org.apache.camel artifact the BOM decides the version anyway); camel:X as it is. */
    private static String withoutVersion(String dependency) {
        if (!dependency.startsWith("mvn:")) {
            return dependency;
        }
        String[] gav = dependency.split(":");
        return gav[0] + ":" + gav[1] + ":" + gav[2];
    }

    private static String match(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        assertTrue(m.find(), pattern + " not found");
        return m.group(group);
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
