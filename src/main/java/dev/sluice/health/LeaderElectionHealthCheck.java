package dev.sluice.health;

import dev.sluice.cluster.LeaderElection;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/**
 * With SLUICE_CLUSTER=kubernetes, not ready while the Kubernetes API cannot be read: no replica
 * can then take or keep the Lease, so the pollers and the purge run nowhere, and the operator should
 * see why (RBAC, a NetworkPolicy without egress to the API, a wrong namespace) rather than a quiet
 * Sluice. Reads the Lease the election uses, with the same client configuration Camel's cluster
 * service uses (fabric8's default: the pod's service account, or KUBERNETES_MASTER / a kubeconfig),
 * and reports its holder. Without Kubernetes election there is nothing to check.
 */
@Readiness
@ApplicationScoped
public class LeaderElectionHealthCheck implements HealthCheck {

    @ConfigProperty(name = "sluice.cluster", defaultValue = "none")
    String mode;
    @ConfigProperty(name = "sluice.cluster.namespace")
    Optional<String> namespace;

    private volatile KubernetesClient client;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("leader election").withData("mode", mode);
        if (!"kubernetes".equals(mode)) {
            return response.up().build();
        }
        String api = "(unknown)";
        try {
            KubernetesClient kubernetes = client();
            api = kubernetes.getConfiguration().getMasterUrl();
            String inNamespace = namespace.filter(n -> !n.isBlank()).orElseGet(kubernetes::getNamespace);
            Lease lease = kubernetes.leases().inNamespace(inNamespace).withName(LeaderElection.LEASE_NAME).get();
            response.withData("api", api).withData("lease", inNamespace + "/" + LeaderElection.LEASE_NAME)
                    .withData("leader", lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null
                            ? "(none yet)" : lease.getSpec().getHolderIdentity());
            return response.up().build();
        } catch (RuntimeException e) {
            return response.down().withData("api", api)
                    .withData("error", "SLUICE_CLUSTER=kubernetes but the Kubernetes API at " + api
                            + " cannot be read, so no replica can lead and the pollers and the purge run nowhere: "
                            + rootMessage(e))
                    .build();
        }
    }

    private KubernetesClient client() {
        if (client == null) {
            synchronized (this) {
                if (client == null) {
                    // short timeouts and no retries: a probe must answer before the kubelet gives up on it
                    Config config = new ConfigBuilder(Config.autoConfigure(null))
                            .withConnectionTimeout(2000).withRequestTimeout(2000).withRequestRetryBackoffLimit(0).build();
                    client = new KubernetesClientBuilder().withConfig(config).build();
                }
            }
        }
        return client;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? message : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
