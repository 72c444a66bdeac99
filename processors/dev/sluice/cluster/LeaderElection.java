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
 *   <li>{@code kubernetes} — a coordination.k8s.io Lease (camel-kubernetes' cluster service): a
 *   replica leads while its pod is Running and Ready (Camel reads the pods of SLUICE_CLUSTER_NAMESPACE),
 *   so a killed leader's pod drops out as soon as the kubelet reports it and another replica takes the
 *   Lease, acting one lease duration later;</li>
 *   <li>{@code file} — a file lock in SLUICE_CLUSTER_DIR, a directory every replica shares;</li>
 *   <li>{@code none} (default) — a single instance: the routes simply run.</li>
 * </ul>
 * A change of leader can deliver a poll twice; the ledger in PostgreSQL makes that harmless.
 */
@ApplicationScoped
public class LeaderElection {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    static final String NAMESPACE = "sluice-leader";
    static final String LEASE_PREFIX = "sluice-leader";
    /** The coordination.k8s.io Lease that holds the leader (Camel names it prefix-group). */
    public static final String LEASE_NAME = LEASE_PREFIX + "-" + NAMESPACE;

    @ConfigProperty(name = "sluice.cluster", defaultValue = "none")
    String mode;
    @ConfigProperty(name = "sluice.cluster.dir")
    Optional<String> directory;
    @ConfigProperty(name = "sluice.cluster.namespace")
    Optional<String> kubernetesNamespace;
    // Camel's defaults (15 s, 10 s, 2 s); tests shorten them to see a failover quickly
    @ConfigProperty(name = "sluice.cluster.lease-duration-ms", defaultValue = "15000")
    long leaseDurationMillis;
    @ConfigProperty(name = "sluice.cluster.renew-deadline-ms", defaultValue = "10000")
    long renewDeadlineMillis;
    @ConfigProperty(name = "sluice.cluster.retry-period-ms", defaultValue = "2000")
    long retryPeriodMillis;

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
                // the client is fabric8's default: in a pod its service account and the API's address
                // (KUBERNETES_SERVICE_HOST), elsewhere KUBERNETES_MASTER or a kubeconfig
                kubernetesNamespace.ifPresent(lease::setKubernetesNamespace);
                lease.setKubernetesResourceName(LEASE_PREFIX);
                // a replica leads while its pod is Running and Ready; these set how fast a new leader
                // acts (it waits one lease duration so that the old one has stopped) and how often the API is read
                lease.setLeaseDurationMillis(leaseDurationMillis);
                lease.setRenewDeadlineMillis(renewDeadlineMillis);
                lease.setRetryPeriodMillis(retryPeriodMillis);
                LOG.debugf("Lease %s in namespace %s for pod %s: lease duration %d ms, renew deadline %d ms, retry period %d ms",
                        LEASE_NAME, kubernetesNamespace.orElse("(the client's)"), System.getenv("HOSTNAME"),
                        leaseDurationMillis, renewDeadlineMillis, retryPeriodMillis);
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
