package dev.sluice.it;

import dev.sluice.embedded.EmbeddedS3Server;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.sluice.it.Api.count;
import static dev.sluice.it.Api.field;
import static dev.sluice.it.Api.get;
import static dev.sluice.it.Api.post;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A backfill killed with SIGKILL part-way resumes after restart and stores every object exactly once. */
class BackfillCrashIT {

    private static final int PERIODS = 300;
    @Test
    void aKilledBackfillShouldResumeAndIngestEveryObjectExactlyOnce() throws Exception {
        Path base = Files.createTempDirectory("sluice-backfill-");
        try {
            killAndResume(base);
        } finally {
            TempDirs.delete(base);
        }
    }

    private void killAndResume(Path base) throws Exception {
        Path data = base.resolve("data");
        LocalDateTime first = LocalDateTime.of(2025, 3, 1, 0, 0);
        try (EmbeddedS3Server upstream = EmbeddedS3Server.start(base.resolve("upstream"), false);
             S3Client seed = S3Client.builder().endpointOverride(upstream.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                     .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
            seed.createBucket(b -> b.bucket("noaa-mrms-pds"));
            for (int h = 0; h < PERIODS; h++) {
                for (String minute : new String[] {"0041", "3041"}) {
                    String stamp = first.plusHours(h).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HH")) + minute;
                    seed.putObject(b -> b.bucket("noaa-mrms-pds").key("CONUS/PrecipRate_00.00/%s/MRMS_PrecipRate_00.00_%s.grib2.gz"
                            .formatted(stamp.substring(0, 8), stamp)), RequestBody.fromString("reading " + stamp));
                }
            }
            // the source as a user adds it: its route file in the routes directory, never scheduled (only backfilled)
            Path routes = BucketSourceFiles.copyRoutes(base.resolve("routes"));
            BucketSourceFiles.write(routes, "bf-mrms", Map.of(
                    "bucket", "noaa-mrms-pds",
                    "schedule", BucketSourceFiles.NEVER,
                    "period", "1h",
                    "keys", "CONUS/{product}/{yyyy}{mm}{dd}/MRMS_{product}_{yyyy}{mm}{dd}-{HH}{MM}{SS}.grib2.gz",
                    "products", "PrecipRate_00.00"));
            Map<String, String> env = Map.of("SLUICE_ROUTES_DIR", routes.toString(),
                    "SLUICE_SOURCES_ENDPOINT", upstream.endpoint().toString());

            long id;
            java.util.concurrent.atomic.AtomicInteger doneAtKill = new java.util.concurrent.atomic.AtomicInteger();
            try (SluiceProcess sluice = SluiceProcess.start(data, env)) {
                sluice.awaitStarted(Duration.ofSeconds(90));
                String created = post(sluice.url() + "/sources/bf-mrms/backfills",
                        "{\"from\": \"2025-03-01T00:00:00Z\", \"to\": \"" + first.plusHours(PERIODS - 1) + ":00Z\"}");
                id = Long.parseLong(field(created, "id"));
                assertEquals(String.valueOf(PERIODS), field(created, "periodsTotal"));
                String url = sluice.url() + "/sources/bf-mrms/backfills/" + id;
                await().atMost(120, TimeUnit.SECONDS).pollInterval(20, TimeUnit.MILLISECONDS)
                        .until(() -> {
                            doneAtKill.set(Integer.parseInt(field(get(url), "periodsDone")));
                            return doneAtKill.get() >= 10;
                        });
                sluice.kill();
            }
            assertTrue(doneAtKill.get() < PERIODS, "killed part-way (" + doneAtKill + " of " + PERIODS + " done)");

            try (SluiceProcess again = SluiceProcess.start(data, env)) {
                String jdbc = again.awaitStarted(Duration.ofSeconds(90));
                String url = again.url() + "/sources/bf-mrms/backfills/" + id;
                await().atMost(180, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS)
                        .until(() -> "done".equals(field(get(url), "status")));
                String progress = get(url);
                assertEquals(String.valueOf(PERIODS), field(progress, "periodsDone"));
                assertEquals("0", field(progress, "periodsFailed"));
                assertTrue(again.log().contains("resuming backfill " + id), "the restart resumed it");
                assertEquals(2L * PERIODS, count(jdbc, "select count(*) from catalog where source = 'bf-mrms'"));
                assertEquals(2L * PERIODS, count(jdbc, "select count(*) from file_ledger where source = 'bf-mrms' and status = 'archived'"));
                assertEquals(2L * PERIODS, count(jdbc, "select count(distinct identity) from file_ledger where source = 'bf-mrms'"));
                try (var stored = Files.walk(data.resolve("s3/objects/sluice/bf-mrms"))) {
                    assertEquals(2L * PERIODS, stored.filter(Files::isRegularFile).count());
                }
            }
        }
    }
}
