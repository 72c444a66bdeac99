package dev.sluice.it;

import dev.sluice.cluster.LeaderElection;
import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import dev.sluice.kubernetes.RenderedOverlay;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scale-out path: two replicas of the prod Deployment (started as shipped, {@link ShippedContainer})
 * with SLUICE_CLUSTER=kubernetes elect their leader with a coordination.k8s.io Lease on a Kubernetes API
 * (fabric8's API server mock in CRUD mode on loopback, {@link KubernetesApi}: no cluster can be had here).
 * Polling is leader-only work: a backfill of a bucket source, requested through the replica that does not
 * lead, is polled period by period by the leader alone. When the leader is killed (kill -9, and the
 * kubelet, played by the test, reports its pod not Ready), the other replica takes the Lease and goes on
 * polling; the time that takes is measured and printed. Every upstream object ends up stored once.
 * <p>
 * Both replicas must become ready (readiness 200: database, store, landing directories writable on the
 * read-only root, the Lease readable) and write nothing outside their volumes.
 * <p>
 * Substituted, as in {@link DeployedAsShippedIT}: PostgreSQL and the object store (embedded, started
 * here), the Secret's values, the API server (the mock). Added to the rendered environment: short Lease
 * timings (SLUICE_CLUSTER_LEASE_DURATION_MS and co., 3 s instead of 15 s) so the failover fits a CI run,
 * the source's route file and the test upstream (SLUICE_ROUTES_DIR, SLUICE_SOURCES_ENDPOINT), and a
 * shorter backfill check (SLUICE_BACKFILL_CHECK_MS). A scheduled poll (cron, once a minute at most) is
 * leader-only under the same route policy; a backfill shows the same election within seconds.
 */
class KubernetesLeaseIT {

    private static final String NAMESPACE = "sluice-prod";
    private static final long LEASE_DURATION_MS = 3000;
    private static final long RETRY_PERIOD_MS = 500;
    /** hours of the backfill, one upstream object each */
    private static final int PERIODS = 60;
    private static final LocalDateTime BACKFILL_START = LocalDateTime.of(2025, 3, 1, 0, 0);

    @Test
    void twoReplicasShouldPollThroughOneLeaderAndFailOverWithinTheLease() throws Exception {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        Path base = ShippedContainer.workspace("sluice-lease-");
        ShippedContainer.Image image = ShippedContainer.Image.read(Path.of("src/main/docker/Dockerfile.jvm"));
        Path root = ShippedContainer.imageRoot(base, image);
        RenderedOverlay prod = RenderedOverlay.render("prod");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(base.resolve("services/postgres"));
        EmbeddedS3Server store = EmbeddedS3Server.start(base.resolve("services/store"));
        EmbeddedS3Server upstream = EmbeddedS3Server.start(base.resolve("services/upstream"), false);
        ShippedContainer.createBucket(prod, store);
        try (KubernetesApi api = KubernetesApi.start();
             S3Client s3 = S3Client.builder().endpointOverride(upstream.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                     .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
            s3.createBucket(b -> b.bucket("lease-upstream"));
            for (int h = 0; h < PERIODS; h++) {
                String hour = BACKFILL_START.plusHours(h).format(DateTimeFormatter.ofPattern("yyyyMMdd/HH"));
                s3.putObject(b -> b.bucket("lease-upstream").key("hourly/" + hour + "/reading.bin"), RequestBody.fromString("reading " + hour));
            }
            // the source as a user adds it: its route file in the routes directory both replicas load (the
            // image's route files but the shipped sources), never scheduled: only backfilled
            Path routes = BucketSourceFiles.copyRoutes(base.resolve("routes"));
            BucketSourceFiles.write(routes, "lease-backfill", Map.of(
                    "bucket", "lease-upstream",
                    "anonymous", "true",
                    "schedule", BucketSourceFiles.NEVER,
                    "period", "1h",
                    "keys", "hourly/{yyyy}{mm}{dd}/{HH}/reading.bin"));
            Map<String, String> substitutions = new HashMap<>(api.clientEnvironment());
            substitutions.put("SLUICE_DB_URL", postgres.jdbcUrl());
            substitutions.put("SLUICE_DB_USER", postgres.username());
            substitutions.put("SLUICE_DB_PASSWORD", postgres.password());
            substitutions.put("SLUICE_S3_ENDPOINT", store.endpoint().toString());
            substitutions.put("SLUICE_S3_ACCESS_KEY", store.accessKey());
            substitutions.put("SLUICE_S3_SECRET_KEY", store.secretKey());
            substitutions.put("SLUICE_CONSOLE_PASSWORD", "console-test-password");
            substitutions.put("SLUICE_READER_PASSWORD", "reader-test-password");
            substitutions.put("SLUICE_CLUSTER_LEASE_DURATION_MS", String.valueOf(LEASE_DURATION_MS));
            substitutions.put("SLUICE_CLUSTER_RENEW_DEADLINE_MS", "2000");
            substitutions.put("SLUICE_CLUSTER_RETRY_PERIOD_MS", String.valueOf(RETRY_PERIOD_MS));
            substitutions.put("SLUICE_ROUTES_DIR", routes.toString());
            substitutions.put("SLUICE_SOURCES_ENDPOINT", upstream.endpoint().toString());
            substitutions.put("SLUICE_BACKFILL_CHECK_MS", "1000");
            // the landing claim is ReadWriteMany: one directory both replicas mount
            Map<String, Path> shared = Map.of("landing", Files.createDirectories(base.resolve("landing-claim")));
            Map<String, String> podLabels = new HashMap<>();
            prod.deployment().path("spec").path("template").path("metadata").path("labels").fields()
                    .forEachRemaining(l -> podLabels.put(l.getKey(), l.getValue().asText()));
            api.podStarted(NAMESPACE, "sluice-prod-0", podLabels);
            api.podStarted(NAMESPACE, "sluice-prod-1", podLabels);
            try (ShippedContainer zero = ShippedContainer.start(prod, image, root, base, "sluice-prod-0", shared, substitutions);
                 ShippedContainer one = ShippedContainer.start(prod, image, root, base, "sluice-prod-1", shared, substitutions)) {
                String ready = zero.awaitReadiness(200, Duration.ofSeconds(120));
                one.awaitReadiness(200, Duration.ofSeconds(120));
                assertTrue(ready.contains("\"landing directories\"") && ready.contains("\"leader election\""), ready);
                // each wrote only where the Deployment gives it volumes: its data directory, the shared claim
                assertTrue(zero.environment().get("SLUICE_DATA_DIR").startsWith(base.resolve("sluice-prod-0/volumes/data").toString()));
                assertTrue(Files.isDirectory(shared.get("landing").resolve("inbox")), "the landing inbox is on the claim");
                for (ShippedContainer pod : List.of(zero, one)) {
                    assertFalse(pod.log().contains("Read-only file system") || pod.log().contains("AccessDeniedException"), pod.log());
                }
                Awaitility.await().atMost(20, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS)
                        .until(() -> api.holder(NAMESPACE, LeaderElection.LEASE_NAME) != null);
                String leaderPod = api.holder(NAMESPACE, LeaderElection.LEASE_NAME);
                ShippedContainer leader = leaderPod.equals("sluice-prod-0") ? zero : one;
                ShippedContainer follower = leader == zero ? one : zero;
                String followerPod = leaderPod.equals("sluice-prod-0") ? "sluice-prod-1" : "sluice-prod-0";

                // asked of the follower, polled by the leader
                String jdbc = postgres.jdbcUrl() + "?user=postgres&password=" + postgres.password();
                String created = Api.post(follower.url() + "/sources/lease-backfill/backfills", "{\"from\": \"" + BACKFILL_START
                        + ":00Z\", \"to\": \"" + BACKFILL_START.plusHours(PERIODS - 1) + ":00Z\"}");
                long id = Long.parseLong(Api.field(created, "id"));
                String progress = follower.url() + "/sources/lease-backfill/backfills/" + id;
                AtomicInteger doneAtKill = new AtomicInteger();
                Awaitility.await().atMost(40, TimeUnit.SECONDS).pollInterval(20, TimeUnit.MILLISECONDS).until(() -> {
                    doneAtKill.set(Integer.parseInt(Api.field(Api.get(progress), "periodsDone")));
                    return doneAtKill.get() >= 5;
                });
                String polled = "backfill " + id + " of lease-backfill: period";
                boolean followerPolled = follower.log().contains(polled);

                long killed = System.nanoTime();
                leader.kill();
                api.containerDied(NAMESPACE, leaderPod);
                assertTrue(leader.log().contains(polled), "the leader polled:\n" + leader.log());
                assertTrue(!followerPolled, "the follower did not poll while the other led:\n" + follower.log());
                assertTrue(doneAtKill.get() < PERIODS, "killed part-way (" + doneAtKill + " of " + PERIODS + ")");

                // the Lease changes hands, then the new leader (after one lease duration, Camel's wait for the old one to stop) polls
                Awaitility.await().atMost(30, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS)
                        .until(() -> followerPod.equals(api.holder(NAMESPACE, LeaderElection.LEASE_NAME)));
                long leaseTaken = System.nanoTime();
                Awaitility.await().atMost(30, TimeUnit.SECONDS).pollInterval(50, TimeUnit.MILLISECONDS)
                        .until(() -> follower.log().contains("resuming backfill " + id));
                long polling = System.nanoTime();
                Duration toLease = Duration.ofNanos(leaseTaken - killed);
                Duration toPolling = Duration.ofNanos(polling - killed);
                System.out.printf("Lease failover (lease duration %d ms, retry period %d ms): Lease taken by the other replica %d ms "
                        + "after the kill -9, polling there %d ms after it%n", LEASE_DURATION_MS, RETRY_PERIOD_MS, toLease.toMillis(), toPolling.toMillis());
                assertTrue(toLease.toMillis() <= LEASE_DURATION_MS, "the Lease changes hands within the lease duration: " + toLease);
                // the new leader acts one lease duration after taking it (the old one's time to stop)
                assertTrue(toPolling.toMillis() <= 2 * LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS,
                        "polling resumes within the lease duration after the Lease is taken: " + toPolling);

                Awaitility.await().atMost(40, TimeUnit.SECONDS).pollInterval(250, TimeUnit.MILLISECONDS)
                        .until(() -> "done".equals(Api.field(Api.get(progress), "status")));
                assertEquals(String.valueOf(PERIODS), Api.field(Api.get(progress), "periodsDone"));
                // every object stored once
                assertEquals(PERIODS, Api.count(jdbc, "select count(*) from catalog where source = 'lease-backfill'"));
                assertEquals(PERIODS, Api.count(jdbc, "select count(distinct storage_key) from catalog where source = 'lease-backfill'"));
                assertEquals(0, Api.count(jdbc, "select count(*) from catalog where source = 'lease-backfill' and version > 1"));
                assertEquals(PERIODS, Api.count(jdbc, "select count(*) from file_ledger where source = 'lease-backfill' and status = 'archived'"));
                // one poll per period; the period the kill interrupted may have a second
                long polls = Api.count(jdbc, "select count(*) from ingest_run where source = 'lease-backfill'");
                assertTrue(polls <= PERIODS + 1, polls + " polls of " + PERIODS + " periods");
                assertEquals(Integer.valueOf(1), api.lease(NAMESPACE, LeaderElection.LEASE_NAME).getSpec().getLeaseTransitions(),
                        "the Lease changed hands once: " + api.lease(NAMESPACE, LeaderElection.LEASE_NAME).getSpec());
            }
        } finally {
            upstream.close();
            store.close();
            postgres.close();
            TempDirs.delete(base);
        }
    }
}
