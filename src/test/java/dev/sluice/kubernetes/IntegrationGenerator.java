package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates kubernetes/camel-k/&lt;name&gt;.yaml, one Camel K Integration per route file, from the
 * route file itself: its content as the source, and its `# camel-k:` modeline (name, dependency,
 * config, property, trait) as the spec. The CRs are never edited by hand; IntegrationsInSyncTest
 * fails the build when they differ from what this makes of routes/ (run it with
 * -Dsluice.regenerate=true to write them). The Kamelets shipped in src/main/resources/kamelets/ are
 * copied to kubernetes/camel-k/kamelets/ as they are (a Kamelet file is its CR), kept in sync the same way.
 */
public final class IntegrationGenerator {

    static final Path ROUTES = Path.of("routes");
    /** route files shipped disabled (copied into routes/ to enable them): no CR of their own */
    static final Path AVAILABLE_ROUTES = ROUTES.resolve("available");
    static final Path OUTPUT = Path.of("kubernetes/camel-k");
    /** the Kamelets Sluice ships (in the processors jar at kamelets/, Camel's default classpath:kamelets) */
    static final Path KAMELETS = Path.of("src/main/resources/kamelets");
    /** the same Kamelets as Kamelet CRs, for the operator to find and mount (kubectl apply -f kubernetes/camel-k/kamelets/) */
    static final Path KAMELET_OUTPUT = OUTPUT.resolve("kamelets");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    /** The traits' fields in the Camel K v2.10.1 Integration CRD (src/test/resources/camel-k/), with their types. */
    private static final JsonNode TRAIT_FIELDS = traitFields();

    private IntegrationGenerator() {
    }

    private static JsonNode traitFields() {
        try (var crd = IntegrationGenerator.class.getResourceAsStream("/camel-k/camel.apache.org_integrations.yaml")) {
            return YAML.readTree(crd).path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema")
                    .path("properties").path("spec").path("properties").path("traits").path("properties");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Output file name → content, for every route file. */
    static Map<String, String> generate() throws IOException {
        Map<String, String> result = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(ROUTES)) {
            files = list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : files) {
            String content = Files.readString(file);
            ObjectNode integration = integration(file.getFileName().toString(), content);
            result.put(integration.path("metadata").path("name").asText() + ".yaml",
                    "# Generated from routes/" + file.getFileName() + " by IntegrationGenerator: do not edit.\n"
                            + YAML.writeValueAsString(integration));
        }
        return result;
    }

    /** Output file name → content of the Kamelet CRs: each shipped Kamelet, byte for byte (a Kamelet file is a CR). */
    static Map<String, String> kamelets() throws IOException {
        Map<String, String> result = new TreeMap<>();
        try (Stream<Path> list = Files.list(KAMELETS)) {
            for (Path file : list.filter(f -> f.toString().endsWith(".kamelet.yaml")).sorted().toList()) {
                result.put(file.getFileName().toString(), Files.readString(file));
            }
        }
        return result;
    }

    /** The route files: routes/*.camel.yaml, then, with {@code available}, those of routes/available/. */
    static List<Path> routeFiles(boolean available) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path directory : available ? List.of(ROUTES, AVAILABLE_ROUTES) : List.of(ROUTES)) {
            try (Stream<Path> list = Files.list(directory)) {
                files.addAll(list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList());
            }
        }
        return files;
    }

    /** The options of a file's modeline, in order. */
    static List<String[]> modeline(String content) {
        List<String[]> options = new ArrayList<>();
        for (String line : content.split("\n")) {
            if (line.startsWith("# camel-k:")) {
                for (String option : line.substring("# camel-k:".length()).trim().split("\\s+")) {
                    int eq = option.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("modeline option without a value: " + option);
                    }
                    options.add(new String[] {option.substring(0, eq), option.substring(eq + 1)});
                }
            }
        }
        return options;
    }

    static ObjectNode integration(String fileName, String content) {
        ObjectNode cr = YAML.createObjectNode();
        cr.put("apiVersion", "camel.apache.org/v1");
        cr.put("kind", "Integration");
        ObjectNode metadata = cr.putObject("metadata");
        ObjectNode spec = YAML.createObjectNode();
        ArrayNode dependencies = YAML.createArrayNode();
        ObjectNode traits = YAML.createObjectNode();
        String name = null;
        for (String[] option : modeline(content)) {
            switch (option[0]) {
                case "name" -> name = option[1];
                case "dependency" -> dependencies.add(option[1]);
                case "config" -> array(trait(traits, "mount"), "configs").add(option[1]);
                case "property" -> array(trait(traits, "camel"), "properties").add(option[1]);
                case "trait" -> {
                    String[] keyValue = option[1].split("=", 2);
                    String[] path = keyValue[0].split("\\.", 2);
                    ObjectNode trait = trait(traits, path[0]);
                    String key = camelCase(path[1]);
                    // as kamel does: the CRD's type of the field decides (a list collects repeated options)
                    switch (TRAIT_FIELDS.path(path[0]).path("properties").path(key).path("type").asText()) {
                        case "array" -> array(trait, key).add(keyValue[1]);
                        case "boolean" -> trait.put(key, Boolean.parseBoolean(keyValue[1]));
                        case "integer" -> trait.put(key, Long.parseLong(keyValue[1]));
                        case "string" -> trait.put(key, keyValue[1]);
                        default -> throw new IllegalArgumentException(fileName + ": the Integration CRD has no trait field " + keyValue[0]);
                    }
                }
                default -> throw new IllegalArgumentException(fileName + ": unknown modeline option " + option[0]);
            }
        }
        if (name == null) {
            throw new IllegalArgumentException(fileName + ": the modeline has no name=");
        }
        metadata.put("name", name);
        ObjectNode labels = metadata.putObject("labels");
        labels.put("app.kubernetes.io/part-of", "sluice");
        labels.put("app.kubernetes.io/name", name);
        spec.set("dependencies", dependencies);
        ObjectNode source = spec.putArray("sources").addObject();
        source.put("name", fileName);
        source.put("language", "yaml");
        source.put("content", content);
        spec.set("traits", traits);
        cr.set("spec", spec);
        return cr;
    }

    private static ObjectNode trait(ObjectNode traits, String name) {
        return traits.has(name) ? (ObjectNode) traits.get(name) : traits.putObject(name);
    }

    private static ArrayNode array(ObjectNode node, String field) {
        return node.has(field) ? (ArrayNode) node.get(field) : node.putArray(field);
    }

    private static String camelCase(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
                upper = false;
            }
        }
        return out.toString();
    }
}
