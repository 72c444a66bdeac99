package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every overlay renders with `kubectl kustomize` into the objects the whole app needs, safely configured. */
class KustomizeOverlaysTest {

    @ParameterizedTest
    @CsvSource({"dev,1", "staging,2", "prod,3"})
    void theOverlayShouldRenderTheWholeApp(String environment, int replicas) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        List<JsonNode> objects = rendered.objects();
        Set<String> kinds = new TreeSet<>();
        objects.forEach(o -> kinds.add(o.path("kind").asText()));
        assertEquals(new TreeSet<>(List.of("ConfigMap", "Deployment", "Ingress", "LimitRange", "NetworkPolicy", "PersistentVolumeClaim",
                "PodDisruptionBudget", "ResourceQuota", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount")), kinds);
        for (JsonNode o : objects) {
            assertEquals("sluice", o.path("metadata").path("labels").path("app.kubernetes.io/name").asText(), o.toString());
            assertEquals("sluice-" + environment, o.path("metadata").path("namespace").asText());
        }
        JsonNode deployment = rendered.deployment();
        assertEquals(replicas, deployment.path("spec").path("replicas").asInt());
        JsonNode container = rendered.container();
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/started", container.path("startupProbe").path("httpGet").path("path").asText());
        assertEquals("sluice", rendered.podSpec().path("serviceAccountName").asText());
        assertTrue(container.path("resources").path("limits").has("memory"));
        // nothing secret in the rendered objects: the Secret is a template, no env value holds a credential
        rendered.one("Secret").path("stringData").forEach(v -> assertEquals("", v.asText(), "the Secret template holds no value"));
        // and no key at all: `kubectl apply` then leaves the values created in the cluster alone, at every apply
        assertTrue(rendered.one("Secret").path("data").isMissingNode() && rendered.one("Secret").path("stringData").isMissingNode());
        container.path("env").forEach(e -> assertTrue(!e.path("name").asText().matches(".*(PASSWORD|SECRET|ACCESS_KEY).*"), e.toString()));
        // Sluice binds to loopback by default: in the pod it listens on the pod's address (for the Service and the probes)
        assertTrue(container.path("env").toString().contains("{\"name\":\"SLUICE_HTTP_HOST\",\"value\":\"0.0.0.0\"}"), container.path("env").toString());
        // Jolokia is not published
        container.path("ports").forEach(p -> assertEquals(8080, p.path("containerPort").asInt()));
        // leases for leader election, and nothing cluster-wide
        assertTrue(rendered.one("Role").path("rules").toString().contains("leases"));
        // default deny plus an explicit allow list
        assertTrue(objects.stream().anyMatch(o -> o.path("kind").asText().equals("NetworkPolicy")
                && o.path("spec").path("ingress").isMissingNode() && o.path("spec").path("egress").isMissingNode()));
    }

    @ParameterizedTest
    @CsvSource({"dev,0.1.0-SNAPSHOT", "staging,0.1.0", "prod,0.1.0"})
    void eachEnvironmentShouldRunTheImageItsOverlayNames(String environment, String tag) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        // the overlay's `images:` entry is the one line a release changes
        JsonNode images = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("kubernetes/overlays", environment, "kustomization.yaml").toFile()).path("images");
        assertEquals(1, images.size(), "one images: entry");
        assertEquals("sluice", images.get(0).path("name").asText(), "it replaces the base's image name");
        assertEquals(tag, images.get(0).path("newTag").asText());
        assertEquals(images.get(0).path("newName").asText() + ":" + tag, rendered.container().path("image").asText());
    }

    @ParameterizedTest
    @CsvSource({"dev,1", "staging,2", "prod,3"})
    void severalReplicasShouldElectOneLeaderWithAKubernetesLease(String environment, int replicas) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        Map<String, String> env = rendered.environment(rendered::downwardApi);
        if (replicas > 1) {
            assertEquals("kubernetes", env.get("SLUICE_CLUSTER"), "with " + replicas + " replicas every one of them would poll");
        }
        // set for every replica count: `kubectl scale` must not make two pollers either
        assertEquals("kubernetes", env.get("SLUICE_CLUSTER"));
        // the Lease lives in the pod's own namespace, taken from the downward API
        JsonNode namespace = rendered.container().path("env").findParents("name").stream()
                .filter(e -> e.path("name").asText().equals("SLUICE_CLUSTER_NAMESPACE")).findFirst().orElseThrow();
        assertEquals("metadata.namespace", namespace.path("valueFrom").path("fieldRef").path("fieldPath").asText());
        assertEquals("sluice-" + environment, env.get("SLUICE_CLUSTER_NAMESPACE"));
        // the service account may read and write Leases and read pods (a leader is valid while its pod is ready)
        JsonNode rules = rendered.one("Role").path("rules");
        assertTrue(grants(rules, "coordination.k8s.io", "leases", "get", "list", "watch", "create", "update", "patch"), rules.toString());
        assertTrue(grants(rules, "", "pods", "get", "list", "watch"), rules.toString());
        JsonNode binding = rendered.one("RoleBinding");
        assertEquals(rendered.one("Role").path("metadata").path("name").asText(), binding.path("roleRef").path("name").asText());
        assertEquals("sluice", binding.path("subjects").get(0).path("name").asText());
        assertNotEquals("false", rendered.one("ServiceAccount").path("automountServiceAccountToken").asText(), "the token reaches the pod");
        assertNotEquals("false", rendered.podSpec().path("automountServiceAccountToken").asText());
        // and the NetworkPolicy lets the pod reach the API server (443 through the kubernetes Service, 6443 directly)
        for (int port : new int[]{443, 6443}) {
            assertTrue(egressAllows(rendered, port), "egress to TCP " + port + " for the Kubernetes API");
        }
    }

    @ParameterizedTest
    @CsvSource({"dev,sluice.dev.example.com", "staging,sluice.staging.example.com", "prod,sluice.example.com"})
    void theApiAndConsoleShouldBeReachedThroughAnIngressWithTls(String environment, String host) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        JsonNode ingress = rendered.one("Ingress");
        JsonNode rule = ingress.path("spec").path("rules").get(0);
        assertEquals(host, rule.path("host").asText());
        JsonNode tls = ingress.path("spec").path("tls").get(0);
        assertTrue(tls.path("hosts").toString().contains("\"" + host + "\""), "the TLS certificate covers the host");
        assertFalse(tls.path("secretName").asText().isBlank(), "a TLS Secret is named");
        assertEquals("true", ingress.path("metadata").path("annotations").path("nginx.ingress.kubernetes.io/force-ssl-redirect").asText());
        // everything (the API and /hawtio) goes to the Service's http port, which is the container's
        JsonNode path = rule.path("http").path("paths").get(0);
        assertEquals("/", path.path("path").asText());
        JsonNode backend = path.path("backend").path("service");
        JsonNode service = rendered.named("Service", backend.path("name").asText());
        assertTrue(service.path("spec").path("ports").toString().contains("\"name\":\"" + backend.path("port").path("name").asText() + "\""));
    }

    @ParameterizedTest
    @CsvSource({"dev,1", "staging,2", "prod,3"})
    void eachNamespaceShouldHaveAQuotaThatFitsItsReplicasAndALimitRange(String environment, int replicas) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        JsonNode hard = rendered.one("ResourceQuota").path("spec").path("hard");
        JsonNode resources = rendered.container().path("resources");
        // a rolling update runs one pod more than the replicas (maxSurge 25% rounds up to 1)
        int pods = replicas + 1;
        assertTrue(hard.path("pods").asInt() >= pods, hard.toString());
        assertTrue(cpu(hard.path("requests.cpu").asText()).compareTo(cpu(resources.path("requests").path("cpu").asText()).multiply(BigDecimal.valueOf(pods))) >= 0,
                "requests.cpu " + hard + " fits " + pods + " pods of " + resources);
        assertTrue(bytes(hard.path("requests.memory").asText()) >= pods * bytes(resources.path("requests").path("memory").asText()), hard.toString());
        assertTrue(bytes(hard.path("limits.memory").asText()) >= pods * bytes(resources.path("limits").path("memory").asText()), hard.toString());
        assertTrue(bytes(hard.path("requests.storage").asText()) >= bytes(rendered.one("PersistentVolumeClaim")
                .path("spec").path("resources").path("requests").path("storage").asText()), "the landing volume fits");
        // a container that says nothing still gets a memory limit (the quota above demands one)
        JsonNode limits = rendered.one("LimitRange").path("spec").path("limits");
        JsonNode container = limits.findParents("type").stream().filter(l -> l.path("type").asText().equals("Container")).findFirst().orElseThrow();
        assertTrue(container.path("default").has("memory") && container.path("defaultRequest").has("cpu"), limits.toString());
        assertTrue(bytes(container.path("max").path("memory").asText()) >= bytes(resources.path("limits").path("memory").asText()),
                "Sluice's own limit is allowed");
    }

    @ParameterizedTest
    @CsvSource({"dev,true", "staging,false", "prod,false"})
    void devShouldLogAtDebugAndRunNoSchedule(String environment, boolean dev) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        Map<String, String> env = rendered.environment(rendered::downwardApi);
        // quarkus.log.category."dev.sluice".level, in its environment-variable spelling
        assertEquals(dev ? "DEBUG" : null, env.get("QUARKUS_LOG_CATEGORY__DEV_SLUICE__LEVEL"), env.toString());
        // CronJobs of these manifests are suspended in dev (today there are none: the cron integrations are
        // Camel K's, see the README's Camel K table, and are not deployed by kustomize)
        for (JsonNode cronJob : rendered.all("CronJob")) {
            assertEquals(dev, cronJob.path("spec").path("suspend").asBoolean(false), cronJob.path("metadata").path("name").asText());
        }
    }

    @ParameterizedTest
    @CsvSource({"dev", "staging", "prod"})
    void sluiceShouldWriteOnlyToVolumesUnderAReadOnlyRoot(String environment) throws Exception {
        RenderedOverlay rendered = RenderedOverlay.render(environment);
        JsonNode container = rendered.container();
        JsonNode pod = rendered.podSpec();
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        assertEquals(185, pod.path("securityContext").path("runAsUser").asInt(), "the image's user");
        assertEquals(185, pod.path("securityContext").path("fsGroup").asInt(), "volumes writable by it");
        Map<String, String> env = rendered.environment(rendered::downwardApi);
        List<String> written = new ArrayList<>(List.of("/tmp"));
        for (String variable : List.of("SLUICE_DATA_DIR", "SLUICE_INBOX_DIR", "SLUICE_DONE_DIR", "SLUICE_ERROR_DIR")) {
            written.add(env.get(variable));
        }
        for (String directory : written) {
            assertTrue(mountOf(container, directory) != null, directory + " is on a volume");
        }
        // the landing directories are one volume every replica shares
        JsonNode landing = mountOf(container, env.get("SLUICE_INBOX_DIR"));
        assertEquals(mountOf(container, env.get("SLUICE_DONE_DIR")), landing);
        JsonNode volume = pod.path("volumes").findParents("name").stream()
                .filter(v -> v.path("name").asText().equals(landing.path("name").asText())).findFirst().orElseThrow();
        String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
        assertTrue(rendered.named("PersistentVolumeClaim", claim).path("spec").path("accessModes").toString().contains("ReadWriteMany"));
    }

    /** The volume mount holding {@code path} (the deepest one, as the container sees it), or null. */
    private static JsonNode mountOf(JsonNode container, String path) {
        JsonNode found = null;
        for (JsonNode mount : container.path("volumeMounts")) {
            String at = mount.path("mountPath").asText();
            if ((path.equals(at) || path.startsWith(at + "/")) && (found == null || at.length() > found.path("mountPath").asText().length())) {
                found = mount;
            }
        }
        return found;
    }

    private static boolean grants(JsonNode rules, String group, String resource, String... verbs) {
        for (JsonNode rule : rules) {
            if (rule.path("apiGroups").toString().contains("\"" + group + "\"") && rule.path("resources").toString().contains("\"" + resource + "\"")) {
                return List.of(verbs).stream().allMatch(v -> rule.path("verbs").toString().contains("\"" + v + "\""));
            }
        }
        return false;
    }

    private static boolean egressAllows(RenderedOverlay rendered, int port) {
        for (JsonNode policy : rendered.all("NetworkPolicy")) {
            for (JsonNode rule : policy.path("spec").path("egress")) {
                // a rule with ports only (no `to`) allows any destination on them
                if (!rule.has("to")) {
                    for (JsonNode p : rule.path("ports")) {
                        if (p.path("port").asInt() == port && p.path("protocol").asText("TCP").equals("TCP")) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static BigDecimal cpu(String quantity) {
        return quantity.endsWith("m") ? new BigDecimal(quantity.substring(0, quantity.length() - 1)).movePointLeft(3) : new BigDecimal(quantity);
    }

    private static long bytes(String quantity) {
        for (String[] unit : new String[][]{{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"}}) {
            if (quantity.endsWith(unit[0])) {
                return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * Long.parseLong(unit[1]);
            }
        }
        return Long.parseLong(quantity);
    }
}
