package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Sluice replicas on one PostgreSQL and one object store, polling the same upstream every minute
 * and sharing one landing directory, with leader election by file lock (SLUICE_CLUSTER=file): every
 * upstream object and every landed file is ingested exactly once, and only one replica polls. Then a
 * backfill requested through the replica that does not lead is worked by the leader alone, and when
 * the leader is killed (kill -9) part-way, the other replica takes over and finishes it: every
 * period is polled, none twice but the one the kill interrupted, every object stored once.
 */
class ScaleOutIT {

    private static final int OBJECTS = 20;
    private static final int FILES = 10;
    /** hours of the backfill, one upstream object each */
    private static final int PERIODS = 120;

    @Test
    void twoReplicasShouldIngestEverythingExactlyOnceWithOnePoller() throws Exception {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        Path base = Files.createTempDirectory("sluice-scaleout-");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(base.resolve("postgres"));
        EmbeddedS3Server store = EmbeddedS3Server.start(base.resolve("store"));
        EmbeddedS3Server upstream = EmbeddedS3Server.start(base.resolve("upstream"), false);
        String day = LocalDate.now(ZoneOffset.UTC).toString().replace("-", "");
        try (S3Client s3 = S3Client.builder().endpointOverride(upstream.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
            s3.createBucket(b -> b.bucket("scaleout-upstream"));
            for (int i = 0; i < OBJECTS; i++) {
                String key = "obs/%s/obj-%02d.bin".formatted(day, i);
                s3.putObject(b -> b.bucket("scaleout-upstream").key(key), RequestBody.fromString("object " + i));
            }
            for (int h = 0; h < PERIODS; h++) {
                String hour = BACKFILL_START.plusHours(h).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd/HH"));
                s3.putObject(b -> b.bucket("scaleout-upstream").key("hourly/" + hour + "/reading.bin"), RequestBody.fromString("reading " + hour));
            }
        }
        // the sources as a user adds them: route files in the routes directory both replicas load
        Path routes = BucketSourceFiles.copyRoutes(base.resolve("routes"));
        BucketSourceFiles.write(routes, "scaleout-test", Map.of(
                "bucket", "scaleout-upstream",
                "anonymous", "true",
                "schedule", "0 * * * * ?",
                "period", "1d",
                "lookBack", "1d",
                "keys", "obs/{yyyy}{mm}{dd}/obj-*.bin"));
        // never scheduled: only backfilled
        BucketSourceFiles.write(routes, "scaleout-backfill", Map.of(
                "bucket", "scaleout-upstream",
                "anonymous", "true",
                "schedule", BucketSourceFiles.NEVER,
                "period", "1h",
                "keys", "hourly/{yyyy}{mm}{dd}/{HH}/reading.bin"));
        Path landing = Files.createDirectories(base.resolve("landing"));
        Map<String, String> shared = new HashMap<>();
        shared.put("SLUICE_DB_URL", postgres.jdbcUrl());
        shared.put("SLUICE_DB_USER", postgres.username());
        shared.put("SLUICE_DB_PASSWORD", postgres.password());
        shared.put("SLUICE_S3_ENDPOINT", store.endpoint().toString());
        shared.put("SLUICE_S3_ACCESS_KEY", store.accessKey());
        shared.put("SLUICE_S3_SECRET_KEY", store.secretKey());
        shared.put("SLUICE_ROUTES_DIR", routes.toString());
        shared.put("SLUICE_SOURCES_ENDPOINT", upstream.endpoint().toString());
        shared.put("SLUICE_CLUSTER", "file");
        shared.put("SLUICE_CLUSTER_DIR", Files.createDirectories(base.resolve("cluster")).toString());
        shared.put("SLUICE_BACKFILL_CHECK_MS", "1000");
        shared.put("SLUICE_INBOX_DIR", Files.createDirectories(landing.resolve("inbox")).toString());
        shared.put("SLUICE_DONE_DIR", landing.resolve("done").toString());
        shared.put("SLUICE_ERROR_DIR", landing.resolve("error").toString());
        try (SluiceProcess one = SluiceProcess.start(Files.createDirectories(base.resolve("one")), shared);
             SluiceProcess two = SluiceProcess.start(Files.createDirectories(base.resolve("two")), shared)) {
            one.awaitStarted(Duration.ofSeconds(120));
            two.awaitStarted(Duration.ofSeconds(120));
            for (int i = 0; i < FILES; i++) {
                Path part = landing.resolve("rain-scaleout-" + i + ".csv.part");
                Files.writeString(part, "gauge_id,observed_at,rainfall_in\nSCALE-%d,2025-01-01 00:00,0.%d\nSCALE-%d,2025-01-01 01:00,0.5\n"
                        .formatted(i, i, i));
                Files.move(part, landing.resolve("inbox").resolve("rain-scaleout-" + i + ".csv"));
            }
            String jdbc = postgres.jdbcUrl() + "?user=postgres&password=" + postgres.password();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(150));
            while (Instant.now().isBefore(deadline)
                    && (Api.count(jdbc, "select count(*) from catalog where source = 'scaleout-test'") < OBJECTS
                    || Api.count(jdbc, "select count(*) from file_ledger where source = 'landing' and identity like 'rain-scaleout-%' and status = 'archived'") < FILES)) {
                Thread.sleep(1000);
            }
            Thread.sleep(3000); // time for a duplicate to show if there were one

            assertEquals(OBJECTS, Api.count(jdbc, "select count(*) from catalog where source = 'scaleout-test'"), one.log() + two.log());
            assertEquals(OBJECTS, Api.count(jdbc, "select count(distinct storage_key) from catalog where source = 'scaleout-test'"));
            assertEquals(OBJECTS, Api.count(jdbc, "select count(*) from file_ledger where source = 'scaleout-test' and status = 'archived'"));
            assertEquals(0, Api.count(jdbc, "select count(*) from catalog where source = 'scaleout-test' and version > 1"));
            assertEquals(FILES, Api.count(jdbc, "select count(*) from file_ledger where source = 'landing' and identity like 'rain-scaleout-%'"));
            assertEquals(FILES, Api.count(jdbc, "select count(*) from ingest_run where kind = 'file' and outcome = 'loaded' and subject like 'rain-scaleout-%'"));
            assertEquals(2L * FILES, Api.count(jdbc, "select count(*) from rain_readings where gauge_id like 'SCALE-%'"));
            try (var files = Files.list(landing.resolve("done"))) {
                assertEquals(FILES, files.count(), "every file ends in done/");
            }
            boolean onePolled = one.log().contains("scaleout-test: listed");
            boolean twoPolled = two.log().contains("scaleout-test: listed");
            assertTrue(onePolled ^ twoPolled, "exactly one replica polls (one: " + onePolled + ", two: " + twoPolled + ")");

            backfillThroughTheOtherReplicaAndKillTheLeader(onePolled ? one : two, onePolled ? two : one, jdbc);
        } finally {
            upstream.close();
            store.close();
            postgres.close();
            TempDirs.delete(base);
        }
    }

    private static final java.time.LocalDateTime BACKFILL_START = java.time.LocalDateTime.of(2025, 3, 1, 0, 0);

    private void backfillThroughTheOtherReplicaAndKillTheLeader(SluiceProcess leader, SluiceProcess follower, String jdbc) throws Exception {
        // asked of the follower: recorded there, worked by the leader
        String created = Api.post(follower.url() + "/sources/scaleout-backfill/backfills", "{\"from\": \"" + BACKFILL_START
                + ":00Z\", \"to\": \"" + BACKFILL_START.plusHours(PERIODS - 1) + ":00Z\"}");
        long id = Long.parseLong(Api.field(created, "id"));
        String progress = follower.url() + "/sources/scaleout-backfill/backfills/" + id;
        java.util.concurrent.atomic.AtomicInteger doneAtKill = new java.util.concurrent.atomic.AtomicInteger();
        org.awaitility.Awaitility.await().atMost(30, java.util.concurrent.TimeUnit.SECONDS)
                .pollInterval(20, java.util.concurrent.TimeUnit.MILLISECONDS).until(() -> {
                    doneAtKill.set(Integer.parseInt(Api.field(Api.get(progress), "periodsDone")));
                    return doneAtKill.get() >= 5;
                });
        boolean followerWorked = follower.log().contains("backfill " + id + " of scaleout-backfill: period");
        leader.kill();
        assertTrue(doneAtKill.get() < PERIODS, "killed part-way (" + doneAtKill + " of " + PERIODS + " done)");
        assertTrue(leader.log().contains("working backfill " + id), "the leader worked it:\n" + leader.log());
        assertTrue(!followerWorked, "the follower did not, while the other led");

        org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS)
                .pollInterval(500, java.util.concurrent.TimeUnit.MILLISECONDS)
                .until(() -> "done".equals(Api.field(Api.get(progress), "status")));
        assertEquals(String.valueOf(PERIODS), Api.field(Api.get(progress), "periodsDone"));
        assertTrue(follower.log().contains("resuming backfill " + id), "the follower resumed it:\n" + follower.log());
        assertEquals(PERIODS, Api.count(jdbc, "select count(*) from catalog where source = 'scaleout-backfill'"));
        assertEquals(PERIODS, Api.count(jdbc, "select count(*) from file_ledger where source = 'scaleout-backfill' and status = 'archived'"));
        // one poll (ingest_run) per period; the period the kill interrupted may have a second
        assertEquals(PERIODS, Api.count(jdbc, "select count(distinct subject) from ingest_run where source = 'scaleout-backfill'"));
        long polls = Api.count(jdbc, "select count(*) from ingest_run where source = 'scaleout-backfill'");
        assertTrue(polls <= PERIODS + 1, polls + " polls of " + PERIODS + " periods");
        assertTrue(Api.count(jdbc, "select count(*) from backfill_period where backfill_id = " + id + " and attempts <> 1") <= 1,
                "every period begun once, but the one the kill interrupted");
    }
}
