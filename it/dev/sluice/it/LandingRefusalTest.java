package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is not a plain file of its own never gets read: a symbolic link (even one named like a
 * dataset's file and pointing at a secret), a file with a second hard link, a named pipe. Each goes to
 * error/ with a reason, its target is never opened (a FIFO's writer would notice), and the inbox
 * goes on with the next file.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class LandingRefusalTest {

    private static final String SECRET = "gauge_id,observed_at,rainfall_in\nTOPSECRET-AKIA0000SECRET,not-a-date,x\n";

    @Inject
    Landing landing;

    @Test
    void linksAndPipesShouldGoToErrorWithoutTheirTargetsEverBeingOpened() throws Exception {
        Path outside = Files.createDirectories(landing.inbox().getParent().resolveSibling("outside-the-inbox"));
        Path secret = Files.writeString(outside.resolve("credentials"), SECRET);
        Path secretForHardLink = Files.writeString(outside.resolve("credentials-2"), SECRET);
        Path pipeOutside = mkfifo(outside.resolve("pipe"));
        AtomicBoolean outsidePipeOpened = openForWritingInBackground(pipeOutside);
        Files.createDirectories(landing.inbox());

        Path staging = Files.createDirectories(landing.inbox().resolveSibling("refusal-staging"));
        // a symlink named like a rain file, to a secret outside the inbox
        moveIn(Files.createSymbolicLink(staging.resolve("rain-link.csv"), secret), "rain-link.csv");
        // a dangling symlink (Camel's file consumer alone would skip it forever)
        moveIn(Files.createSymbolicLink(staging.resolve("rain-dangling.csv"), outside.resolve("nothing-here")), "rain-dangling.csv");
        // a symlink to a named pipe: following it would open the pipe
        moveIn(Files.createSymbolicLink(staging.resolve("rain-pipe-link.csv"), pipeOutside), "rain-pipe-link.csv");
        // a second hard link of a secret file
        moveIn(Files.createLink(staging.resolve("rain-hardlink.csv"), secretForHardLink), "rain-hardlink.csv");
        // a named pipe in the inbox itself, with a writer waiting for a reader
        Path pipe = mkfifo(staging.resolve("rain-pipe.csv"));
        AtomicBoolean pipeOpened = openForWritingInBackground(pipe);
        moveIn(pipe, "rain-pipe.csv");
        // and an ordinary file after them
        landing.drop("rain-after-refusals.csv", "gauge_id,observed_at,rainfall_in\nREFUSE-OK,2024-06-01 00:00,0.2\n");

        Map<String, String> expected = Map.of(
                "rain-link.csv", "symbolic link",
                "rain-dangling.csv", "symbolic link",
                "rain-pipe-link.csv", "symbolic link",
                "rain-hardlink.csv", "hard link",
                "rain-pipe.csv", "named pipe");
        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                expected.keySet().stream().allMatch(name -> Landing.written(landing.error().resolve(name + ".reason.txt"))));
        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from file_ledger where identity = 'rain-after-refusals.csv' and status = 'archived'") == 1);

        for (Map.Entry<String, String> e : expected.entrySet()) {
            String name = e.getKey();
            String reason = Files.readString(landing.error().resolve(name + ".reason.txt"));
            assertTrue(reason.contains(e.getValue()), name + ": " + reason);
            assertTrue(Files.exists(landing.error().resolve(name), LinkOption.NOFOLLOW_LINKS), name + " kept in error/");
            assertFalse(Files.exists(landing.inbox().resolve(name), LinkOption.NOFOLLOW_LINKS), name + " left the inbox");
            List<Map<String, Object>> ledger = landing.rows("select status, content_hash, archive_key from file_ledger where identity = ?", name);
            assertEquals(1, ledger.size(), name);
            assertEquals("rejected", ledger.get(0).get("status"), name);
            assertTrue(((String) ledger.get(0).get("content_hash")).startsWith("unread:"), name + " was not hashed: " + ledger);
            assertEquals(null, ledger.get(0).get("archive_key"), name);
            assertEquals(1, landing.count("select count(*) from ingest_run where subject = ? and outcome = 'rejected'", name));
        }
        // moved as what they are: links stay links, the pipe stays a pipe
        assertTrue(Files.isSymbolicLink(landing.error().resolve("rain-link.csv")));
        assertFalse(Files.isRegularFile(landing.error().resolve("rain-pipe.csv"), LinkOption.NOFOLLOW_LINKS));
        // nobody opened a pipe, directly or through a link
        assertFalse(pipeOpened.get(), "the named pipe in the inbox was opened");
        assertFalse(outsidePipeOpened.get(), "the named pipe behind the symlink was opened");
        // nothing of the secrets went anywhere
        assertEquals(SECRET, Files.readString(secret));
        assertEquals(0, landing.count("select count(*) from dead_letter where raw_record like '%TOPSECRET%'"));
        assertEquals(0, landing.count("select count(*) from rain_readings where gauge_id like 'TOPSECRET%'"));
        assertEquals(0, landing.count("select count(*) from ingest_run where subject in ('rain-link.csv', 'rain-hardlink.csv') and outcome <> 'rejected'"));
        assertEquals(1, landing.count("select count(*) from rain_readings where gauge_id = 'REFUSE-OK'"));

        // let the writers go
        release(landing.error().resolve("rain-pipe.csv"));
        release(pipeOutside);
    }

    @Test
    void damagedArchivesAndZipBombsShouldGoToErrorWithAReasonAndNothingOfThemCommitted() throws Exception {
        // a gzip cut short: 30,000 rows, so that the first COPY chunk (10,000 records) went in before the damage
        StringBuilder csv = new StringBuilder("gauge_id,observed_at,rainfall_in\n");
        for (int i = 0; i < 30_000; i++) {
            csv.append("TRUNC-1,2024-01-01 00:00,0.1\n".replace("2024-01-01 00:00",
                    java.time.LocalDateTime.of(2020, 1, 1, 0, 0).plusMinutes(15L * i).toString().replace('T', ' ')));
        }
        byte[] gz = LandingPipelineTest.gzip(csv.toString().getBytes(StandardCharsets.UTF_8));
        landing.drop("rain-truncated.csv.gz", java.util.Arrays.copyOf(gz, gz.length * 7 / 10));
        // a .zip that is none
        landing.drop("bundle-garbage.zip", "PK this is not a zip archive at all".getBytes(StandardCharsets.UTF_8));
        // a bomb: one member of 200 MB of spaces (a valid CSV header, then no line end) packed to a few hundred KB
        byte[] bomb = zipBomb("rain-bomb.csv", 200 << 20);
        assertTrue(bomb.length < 1 << 20, "the bomb is small: " + bomb.length);
        landing.drop("bundle-bomb.zip", bomb);
        // and the inbox goes on
        landing.drop("rain-after-archives.csv", "gauge_id,observed_at,rainfall_in\nAFTER-ARCH-1,2024-06-01 00:00,0.2\n");

        Map<String, String> expected = Map.of(
                "rain-truncated.csv.gz", "corrupt or truncated gzip file",
                "bundle-garbage.zip", "not a readable zip archive",
                "bundle-bomb.zip", "sluice.inflation.max-ratio");
        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                expected.keySet().stream().allMatch(name -> Landing.written(landing.error().resolve(name + ".reason.txt"))));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String reason = Files.readString(landing.error().resolve(e.getKey() + ".reason.txt"));
            assertTrue(reason.contains(e.getValue()), e.getKey() + ": " + reason);
            assertTrue(Files.exists(landing.error().resolve(e.getKey())), e.getKey() + " kept in error/");
            assertEquals("rejected", landing.rows("select status from file_ledger where identity = ?", e.getKey()).get(0).get("status"));
            // refused at once: not tried again and again as a failed load would be
            assertEquals(0, landing.count("select count(*) from ingest_run where subject like ? and outcome <> 'rejected'", e.getKey() + "%"));
        }
        // not a row of the truncated file, not even of the part before the damage
        assertEquals(0, landing.count("select count(*) from rain_readings where gauge_id = 'TRUNC-1'"));
        assertEquals(0, landing.count("select count(*) from dead_letter where file like 'rain-truncated%' or file like 'bundle-bomb%'"));
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from rain_readings where gauge_id = 'AFTER-ARCH-1'") == 1);
    }

    /** A zip whose one member inflates to {@code size} bytes: a CSV header and then spaces, compressed about 1000 to 1. */
    private static byte[] zipBomb(String member, int size) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
            out.putNextEntry(new java.util.zip.ZipEntry(member));
            out.write("gauge_id,observed_at,rainfall_in\n".getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int written = 0; written < size; written += spaces.length) {
                out.write(spaces);
            }
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    private void moveIn(Path entry, String name) throws IOException {
        Files.move(entry, landing.inbox().resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static Path mkfifo(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo " + path);
        return path;
    }

    /** A writer that blocks until somebody opens the pipe for reading; the flag says whether anybody did. */
    static AtomicBoolean openForWritingInBackground(Path pipe) throws InterruptedException {
        AtomicBoolean opened = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try (FileOutputStream out = new FileOutputStream(pipe.toFile())) {
                opened.set(true);
                out.write("x".repeat(70_000).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the reader went away
            }
        }, "fifo-writer-" + pipe.getFileName());
        writer.setDaemon(true);
        writer.start();
        // wait until it blocks in open(): moved before that, it would create a new file at the old path
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (java.util.Arrays.stream(writer.getStackTrace()).noneMatch(f -> f.getMethodName().equals("open0"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the writer of " + pipe + " did not block in open: " + java.util.Arrays.toString(writer.getStackTrace()));
            }
            Thread.sleep(5);
        }
        return opened;
    }

    /** Opens the pipe for reading, so that its blocked writer finishes. */
    private static void release(Path pipe) {
        Thread reader = new Thread(() -> {
            try (FileInputStream in = new FileInputStream(pipe.toFile())) {
                in.readAllBytes();
            } catch (IOException e) {
                // gone
            }
        });
        reader.setDaemon(true);
        reader.start();
    }
}
