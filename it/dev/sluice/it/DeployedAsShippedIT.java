package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import dev.sluice.embedded.FreePort;
import dev.sluice.kubernetes.RenderedOverlay;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `kubectl kustomize kubernetes/overlays/&lt;env&gt; | kubectl apply -f -` gives a Sluice that becomes ready:
 * the packaged app started as src/main/docker/Dockerfile.jvm and the rendered Deployment start it
 * (see {@link ShippedContainer}: the image's files read-only, uid 185, the Dockerfile's entry point and
 * working directory, the environment of the rendered ConfigMap, Secret, env and downward API, the
 * Deployment's volumes as writable directories).
 * <p>
 * What the manifests point at outside the pod cannot be reached here, so the test substitutes:
 * <ul>
 *   <li>PostgreSQL (SLUICE_DB_URL postgres.sluice-&lt;env&gt;.svc, the Secret's SLUICE_DB_USER/PASSWORD):
 *   an embedded PostgreSQL this test starts, its URL and credentials;</li>
 *   <li>the object store (SLUICE_S3_ENDPOINT minio.sluice-&lt;env&gt;.svc and the Secret's keys): the
 *   embedded S3 server, in this JVM;</li>
 *   <li>the Secret's console and reader passwords (empty in the template): test values;</li>
 *   <li>the API server the pod reaches with its service account (leader election, SLUICE_CLUSTER=kubernetes
 *   from the ConfigMap): {@link KubernetesApi}, fabric8's API server mock on loopback, where the test
 *   registers the pod as Running and Ready, as the kubelet would.</li>
 * </ul>
 */
class DeployedAsShippedIT {

    private static Path base;
    private static ShippedContainer.Image image;
    private static Path root;
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedS3Server store;

    @BeforeAll
    static void startOutsideServices() throws Exception {
        // (the embedded servers keep their directory's parent private: services/, not the pods' workspace)
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        base = ShippedContainer.workspace("sluice-shipped-");
        image = ShippedContainer.Image.read(Path.of("src/main/docker/Dockerfile.jvm"));
        root = ShippedContainer.imageRoot(base, image);
        postgres = EmbeddedPostgresServer.start(base.resolve("services/postgres"));
        store = EmbeddedS3Server.start(base.resolve("services/store"));
        ShippedContainer.createBucket(RenderedOverlay.render("prod"), store);
    }

    @AfterAll
    static void stopOutsideServices() {
        if (store != null) {
            store.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        TempDirs.delete(base);
    }

    /**
     * Two pods at once (the machine has 2 cores and CI time is short): dev, with its API server, becomes
     * ready and logs Sluice's classes at DEBUG (the overlay's QUARKUS_LOG_CATEGORY__DEV_SLUICE__LEVEL); prod
     * without a reachable API server stays unready and says why. (prod with an API server: KubernetesLeaseIT,
     * whose two replicas start as shipped too.)
     */
    @Test
    void devShouldBecomeReadyAtDebugAndProdWithoutTheKubernetesApiShouldBeUnreadyAndSayWhy() throws Exception {
        RenderedOverlay dev = RenderedOverlay.render("dev");
        RenderedOverlay prod = RenderedOverlay.render("prod");
        assertEquals(185, image.uid(), "the image runs as the Deployment's runAsUser");
        int nothingListens = FreePort.find();
        try (KubernetesApi api = KubernetesApi.start()) {
            api.podStarted("sluice-dev", "sluice-dev-0", Map.of("app.kubernetes.io/name", "sluice"));
            Map<String, String> withApi = outsideServices();
            withApi.putAll(api.clientEnvironment());
            Map<String, String> withoutApi = outsideServices();
            withoutApi.putAll(Map.of("KUBERNETES_MASTER", "http://127.0.0.1:" + nothingListens,
                    "KUBERNETES_AUTH_TRYKUBECONFIG", "false", "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false"));
            try (ShippedContainer devPod = ShippedContainer.start(dev, image, root, base, "sluice-dev-0", Map.of(), withApi);
                 ShippedContainer prodPod = ShippedContainer.start(prod, image, root, base, "sluice-prod-0", Map.of(), withoutApi)) {
                String ready = devPod.awaitReadiness(200, Duration.ofSeconds(120));
                assertTrue(ready.contains("\"landing directories\""), ready);
                Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> devPod.log().matches("(?s).* DEBUG +\\[[^]]*LeaderElection\\].*"));
                assertFalse(prodPod.log().contains(" DEBUG "), "prod logs at INFO");

                String unready = prodPod.awaitReadiness(503, Duration.ofSeconds(120));
                assertTrue(unready.matches("(?s).*SLUICE_CLUSTER=kubernetes but the Kubernetes API at http://127\\.0\\.0\\.1:" + nothingListens
                        + "/? cannot be read, so no replica can lead.*"), unready);
                // the rest of it is fine: only the election keeps it out of the Service
                assertTrue(unready.matches("(?s).*\"name\"\\s*:\\s*\"landing directories\",\\s*\"status\"\\s*:\\s*\"UP\".*"), unready);
            }
        }
    }

    private static Map<String, String> outsideServices() {
        Map<String, String> services = new HashMap<>();
        services.put("SLUICE_DB_URL", postgres.jdbcUrl());
        services.put("SLUICE_DB_USER", postgres.username());
        services.put("SLUICE_DB_PASSWORD", postgres.password());
        services.put("SLUICE_S3_ENDPOINT", store.endpoint().toString());
        services.put("SLUICE_S3_ACCESS_KEY", store.accessKey());
        services.put("SLUICE_S3_SECRET_KEY", store.secretKey());
        services.put("SLUICE_CONSOLE_PASSWORD", "console-test-password");
        services.put("SLUICE_READER_PASSWORD", "reader-test-password");
        return services;
    }
}
