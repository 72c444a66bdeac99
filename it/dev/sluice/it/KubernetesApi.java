package dev.sluice.it;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A Kubernetes API on loopback, in this JVM: fabric8's kubernetes-server-mock in CRUD mode. It keeps
 * the objects it is sent and serves get, list (with label selectors), create, update (refused with 409
 * when the resourceVersion is stale: the optimistic lock the Lease election relies on) and watch, over
 * plain HTTP. It has no controllers and no kubelet, so this class plays the kubelet's part for the
 * pods: a started pod is Running and Ready, and a pod whose container died is marked not Ready, as the
 * kubelet reports it as soon as the container exits.
 */
final class KubernetesApi implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private KubernetesApi(KubernetesMockServer server) {
        this.server = server;
        this.client = server.createClient();
    }

    /** Its request log (one line per request, the Lease renewals included) is kept out of the build's output. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static KubernetesApi start() {
        QUIET.setLevel(java.util.logging.Level.WARNING);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new KubernetesApi(server);
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /**
     * What a pod's fabric8 client reads instead of its service account: the API's address, and no
     * kubeconfig or token of this machine.
     */
    Map<String, String> clientEnvironment() {
        return Map.of("KUBERNETES_MASTER", url(),
                "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
    }

    /** The pod of a replica, Running and Ready, with the Deployment's pod labels. */
    void podStarted(String namespace, String name, Map<String, String> labels) {
        Pod pod = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("sluice").withImage("sluice").endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewCondition().withType("ContainersReady").withStatus("True").endCondition()
                .endStatus().build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    /** Its container exited (kill -9): the kubelet reports the pod not Ready; it restarts in place. */
    void containerDied(String namespace, String name) {
        client.pods().inNamespace(namespace).withName(name).editStatus(pod -> new PodBuilder(pod).editStatus()
                .withConditions().addNewCondition().withType("Ready").withStatus("False").endCondition()
                .addNewCondition().withType("ContainersReady").withStatus("False").endCondition()
                .endStatus().build());
    }

    /** The Lease, or null. */
    Lease lease(String namespace, String name) {
        return client.leases().inNamespace(namespace).withName(name).get();
    }

    /** Who holds the Lease, or null. */
    String holder(String namespace, String name) {
        Lease lease = lease(namespace, name);
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
