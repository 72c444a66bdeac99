package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An Integration CR of kubernetes/camel-k/, read for what the Camel K 2.10.1 operator makes of it.
 * {@link #with} adds what a user adds on the command line (`kamel run … -t trait.field=value`).
 */
final class CamelKIntegration {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** the first `from` of the source: what the cron trait looks at */
    private static final Pattern PERIODIC_FROM = Pattern.compile("from:\\s*\\n\\s*uri: \"?(cron|timer|quartz):");

    private final ObjectNode cr;

    private CamelKIntegration(ObjectNode cr) {
        this.cr = cr;
    }

    static CamelKIntegration read(Path file) throws IOException {
        return new CamelKIntegration((ObjectNode) YAML.readTree(file.toFile()));
    }

    String name() {
        return cr.path("metadata").path("name").asText();
    }

    List<String> dependencies() {
        return strings(cr.path("spec").path("dependencies"));
    }

    JsonNode source() {
        return cr.path("spec").path("sources").get(0);
    }

    String sourceName() {
        return source().path("name").asText();
    }

    String sourceContent() {
        return source().path("content").asText();
    }

    /** A trait's list field (environment.vars, mount.volumes, camel.properties …), empty when unset. */
    List<String> traitList(String trait, String field) {
        return strings(cr.path("spec").path("traits").path(trait).path(field));
    }

    String traitText(String trait, String field) {
        return cr.path("spec").path("traits").path(trait).path(field).asText("");
    }

    /**
     * The CronJob strategy: the cron trait is on and the route starts from a periodic consumer, so the
     * operator rewrites its `from` and the pod runs one exchange (pkg/trait/cron.go).
     */
    boolean runsAsCronJob() {
        return cr.path("spec").path("traits").path("cron").path("enabled").asBoolean(false)
                && PERIODIC_FROM.matcher(sourceContent()).find();
    }

    /** The REST capability (a `rest:` definition): the container trait sets platform-http as REST component. */
    boolean exposesRest() {
        return sourceContent().contains("\n- rest:");
    }

    /**
     * The Kamelets the source uses, as the kamelets trait finds them (pkg/util/source/inspector_yaml.go):
     * {@code kamelet:NAME[/ROUTE_ID]} in a {@code from}/{@code to} URI or a deadLetterUri, and the
     * {@code kamelet:} EIP step's name; {@code source} and {@code sink} are a Kamelet's own placeholders.
     */
    Set<String> kamelets() throws IOException {
        Set<String> names = new TreeSet<>();
        collectKamelets(YAML.readTree(sourceContent()), names);
        names.removeAll(Set.of("source", "sink"));
        return names;
    }

    private static void collectKamelets(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                JsonNode value = field.getValue();
                if (value.isTextual() && List.of("uri", "to", "deadLetterUri").contains(field.getKey())
                        && value.asText().startsWith("kamelet:")) {
                    names.add(value.asText().substring("kamelet:".length()).split("[/?]", 2)[0]);
                } else if (field.getKey().equals("kamelet") && value.isObject() && value.hasNonNull("name")) {
                    names.add(value.get("name").asText().split("[/?]", 2)[0]);
                }
                collectKamelets(value, names);
            });
        } else if (node.isArray()) {
            node.forEach(element -> collectKamelets(element, names));
        }
    }

    /** A copy whose one source is this file instead (a test's own route file under the CR's name and traits). */
    CamelKIntegration withSource(String fileName, String content) {
        ObjectNode copy = cr.deepCopy();
        ObjectNode source = (ObjectNode) copy.path("spec").path("sources").get(0);
        source.put("name", fileName);
        source.put("content", content);
        return new CamelKIntegration(copy);
    }

    /** A copy with one more value in a trait's list field, as `kamel run -t trait.field=value` adds it. */
    CamelKIntegration with(String trait, String field, String value) {
        ObjectNode copy = cr.deepCopy();
        ObjectNode traits = (ObjectNode) copy.path("spec").path("traits");
        ObjectNode node = traits.has(trait) ? (ObjectNode) traits.get(trait) : traits.putObject(trait);
        ArrayNode list = node.has(field) ? (ArrayNode) node.get(field) : node.putArray(field);
        list.add(value);
        return new CamelKIntegration(copy);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
