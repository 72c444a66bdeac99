package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every overlay renders with `kubectl kustomize` into the objects the whole app needs, safely configured. */
class KustomizeOverlaysTest {

    private static final ObjectMapper YAML = new ObjectMapper();

    @ParameterizedTest
    @CsvSource({"dev,1", "staging,2", "prod,3"})
    void theOverlayShouldRenderTheWholeApp(String environment, int replicas) throws Exception {
        List<JsonNode> objects = render(environment);
        Set<String> kinds = new TreeSet<>();
        objects.forEach(o -> kinds.add(o.path("kind").asText()));
        assertEquals(new TreeSet<>(List.of("ConfigMap", "Deployment", "NetworkPolicy", "PersistentVolumeClaim", "PodDisruptionBudget",
                "Role", "RoleBinding", "Secret", "Service", "ServiceAccount")), kinds);
        for (JsonNode o : objects) {
            assertEquals("sluice", o.path("metadata").path("labels").path("app.kubernetes.io/name").asText(), o.toString());
            assertEquals("sluice-" + environment, o.path("metadata").path("namespace").asText());
        }
        JsonNode deployment = one(objects, "Deployment");
        assertEquals(replicas, deployment.path("spec").path("replicas").asInt());
        JsonNode container = deployment.path("spec").path("template").path("spec").path("containers").get(0);
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/started", container.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("sluice", deployment.path("spec").path("template").path("spec").path("serviceAccountName").asText());
        assertTrue(container.path("resources").path("limits").has("memory"));
        // nothing secret in the rendered objects: the Secret is a template, no env value holds a credential
        one(objects, "Secret").path("stringData").forEach(v -> assertEquals("", v.asText(), "the Secret template holds no value"));
        container.path("env").forEach(e -> assertTrue(!e.path("name").asText().matches(".*(PASSWORD|SECRET|ACCESS_KEY).*"), e.toString()));
        // Sluice binds to loopback by default: in the pod it listens on the pod's address (for the Service and the probes)
        assertTrue(container.path("env").toString().contains("{\"name\":\"SLUICE_HTTP_HOST\",\"value\":\"0.0.0.0\"}"), container.path("env").toString());
        // Jolokia is not published
        container.path("ports").forEach(p -> assertEquals(8080, p.path("containerPort").asInt()));
        // leases for leader election, and nothing cluster-wide
        assertTrue(one(objects, "Role").path("rules").toString().contains("leases"));
        // default deny plus an explicit allow list
        assertTrue(objects.stream().anyMatch(o -> o.path("kind").asText().equals("NetworkPolicy")
                && o.path("spec").path("ingress").isMissingNode() && o.path("spec").path("egress").isMissingNode()));
    }

    private static JsonNode one(List<JsonNode> objects, String kind) {
        List<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        assertEquals(1, found.size(), kind);
        return found.get(0);
    }

    private static List<JsonNode> render(String environment) throws Exception {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", "kubernetes/overlays/" + environment)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = kubectl.getInputStream().readAllBytes();
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS) && kubectl.exitValue() == 0, "kubectl kustomize " + environment + " failed");
        List<JsonNode> objects = new ArrayList<>();
        YAMLFactory factory = new YAMLFactory();
        try (YAMLParser parser = factory.createParser(out)) {
            Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
            docs.forEachRemaining(objects::add);
        }
        return objects;
    }
}
