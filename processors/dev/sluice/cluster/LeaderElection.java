package dev.sluice.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;

/**
 * The route policy `leaderOnly` that the pollers and the purge run under: with several Sluice
 * replicas, those routes run on one replica at a time (the leader), while landing files and the API
 * run on all. Who leads is decided by SLUICE_CLUSTER:
 * <ul>
 *   <li>{@code kubernetes} — a coordination.k8s.io Lease (camel-kubernetes' cluster service);</li>
 *   <li>{@code file} — a file lock in SLUICE_CLUSTER_DIR, a directory every replica shares;</li>
 *   <li>{@code none} (default) — a single instance: the routes simply run.</li>
 * </ul>
 * A change of leader can deliver a poll twice; the ledger in PostgreSQL makes that harmless.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    static final String NAMESPACE = "sluice-leader";

    @ConfigProperty(name = "sluice.cluster", defaultValue = "none")
    String mode;
    @ConfigProperty(name = "sluice.cluster.dir")
    Optional<String> directory;
    @ConfigProperty(name = "sluice.cluster.namespace")
    Optional<String> kubernetesNamespace;

    @Produces
    @Singleton
    @Named("leaderOnly")
    RoutePolicy leaderOnly(CamelContext context) throws Exception {
        String member = ManagementFactory.getRuntimeMXBean().getName();
        CamelClusterService service = switch (mode) {
            case "none" -> null;
            case "file" -> {
                FileLockClusterService file = new FileLockClusterService();
                file.setRoot(directory.orElseThrow(() -> new IllegalStateException("SLUICE_CLUSTER=file needs SLUICE_CLUSTER_DIR")));
                file.setAcquireLockDelay(1, java.util.concurrent.TimeUnit.SECONDS);
                file.setAcquireLockInterval(2, java.util.concurrent.TimeUnit.SECONDS);
                yield file;
            }
            case "kubernetes" -> {
                KubernetesClusterService lease = new KubernetesClusterService();
                kubernetesNamespace.ifPresent(lease::setKubernetesNamespace);
                lease.setKubernetesResourceName("sluice-leader");
                yield lease;
            }
            default -> throw new IllegalStateException("SLUICE_CLUSTER must be none, file or kubernetes, not '" + mode + "'");
        };
        if (service == null) {
            return new RoutePolicySupport() {
            };
        }
        service.setId(member);
        context.addService(service);
        ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(service, NAMESPACE);
        policy.setInitialDelay(Duration.ZERO);
        LOG.infof("Leader election by %s: pollers and the purge run on the leader only (this is %s)", mode, member);
        return policy;
    }
}
