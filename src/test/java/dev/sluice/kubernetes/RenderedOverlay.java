package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What `kubectl kustomize kubernetes/overlays/&lt;environment&gt;` renders, as the objects a cluster would
 * receive, and the Sluice container's environment computed from them as the kubelet computes it.
 */
public final class RenderedOverlay {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String environment;
    private final List<JsonNode> objects;

    private RenderedOverlay(String environment, List<JsonNode> objects) {
        this.environment = environment;
        this.objects = objects;
    }

    public static RenderedOverlay render(String environment) throws IOException, InterruptedException {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", "kubernetes/overlays/" + environment)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = kubectl.getInputStream().readAllBytes();
        if (!kubectl.waitFor(60, TimeUnit.SECONDS) || kubectl.exitValue() != 0) {
            throw new IllegalStateException("kubectl kustomize kubernetes/overlays/" + environment + " failed");
        }
        List<JsonNode> objects = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(out)) {
            Iterator<JsonNode> documents = MAPPER.readValues(parser, JsonNode.class);
            documents.forEachRemaining(objects::add);
        }
        return new RenderedOverlay(environment, objects);
    }

    public String environment() {
        return environment;
    }

    public List<JsonNode> objects() {
        return objects;
    }

    public List<JsonNode> all(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    /** The one object of {@code kind}; fails when there is none or several. */
    public JsonNode one(String kind) {
        List<JsonNode> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " objects of kind " + kind + " in " + environment);
        }
        return found.get(0);
    }

    public JsonNode named(String kind, String name) {
        return all(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + environment));
    }

    public JsonNode deployment() {
        return one("Deployment");
    }

    public JsonNode podSpec() {
        return deployment().path("spec").path("template").path("spec");
    }

    /** The Sluice container of the Deployment. */
    public JsonNode container() {
        for (JsonNode container : podSpec().path("containers")) {
            if (container.path("name").asText().equals("sluice")) {
                return container;
            }
        }
        throw new AssertionError("no container sluice in " + environment);
    }

    /**
     * The container's environment variables as the kubelet sets them: every envFrom source in order
     * (a ConfigMap's data, a Secret's data or stringData), then env, whose entries win. A
     * {@code valueFrom} (downward API, a single key) is given to {@code valueFrom}, which returns the
     * value or null to leave the variable out.
     */
    public Map<String, String> environment(Function<JsonNode, String> valueFrom) {
        Map<String, String> variables = new LinkedHashMap<>();
        JsonNode container = container();
        for (JsonNode source : container.path("envFrom")) {
            if (source.has("configMapRef")) {
                JsonNode map = named("ConfigMap", source.path("configMapRef").path("name").asText());
                map.path("data").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
            } else if (source.has("secretRef")) {
                JsonNode secret = named("Secret", source.path("secretRef").path("name").asText());
                secret.path("data").fields().forEachRemaining(e -> variables.put(e.getKey(),
                        new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
                secret.path("stringData").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
            }
        }
        for (JsonNode variable : container.path("env")) {
            String value = variable.has("valueFrom") ? valueFrom.apply(variable.path("valueFrom")) : variable.path("value").asText();
            if (value != null) {
                variables.put(variable.path("name").asText(), value);
            }
        }
        return variables;
    }

    /** The value of the Deployment's namespace for a downward-API field, else null. */
    public String downwardApi(JsonNode valueFrom) {
        String field = valueFrom.path("fieldRef").path("fieldPath").asText();
        return field.equals("metadata.namespace") ? deployment().path("metadata").path("namespace").asText() : null;
    }
}
