package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A load that Sluice reported done survives a kill -9 of the embedded PostgreSQL: as soon as a
 * 1,440-row file is archived and in done/, the postmaster and all its children are killed (and
 * Sluice too); after restart and WAL recovery the rows, the ledger entry and the run are there.
 * With zonky's defaults (-F, synchronous_commit=off) all three were gone and the file, already in
 * done/, was never loaded again.
 */
class EmbeddedPostgresDurabilityIT {

    private static final int ROWS = 1_440;

    @Test
    void aLoadInDoneShouldSurviveAKillOfThePostmaster() throws Exception {
        Path base = Files.createTempDirectory("sluice-durable-");
        Path data = base.resolve("data");
        Path inbox = data.resolve("landing/inbox");
        Path done = data.resolve("landing/done/rain-day.csv");
        try {
            try (SluiceProcess first = SluiceProcess.start(data, Map.of())) {
                first.awaitStarted(Duration.ofSeconds(90));
                Path staging = base.resolve("rain-day.csv");
                EmbeddedDefaultCrashIT.writeRows(staging, ROWS);
                Files.createDirectories(inbox);
                Files.move(staging, inbox.resolve("rain-day.csv"));

                // the moment the file reaches done/ (after the archive was recorded), the database dies
                Instant deadline = Instant.now().plusSeconds(60);
                while (!Files.exists(done) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(2);
                }
                assertTrue(Files.exists(done), "the file was loaded:\n" + first.log());
                killPostmasterAndChildren(data.resolve("postgres/postmaster.pid"));
                first.kill();
            }

            try (SluiceProcess second = SluiceProcess.start(data, Map.of())) {
                String url = second.awaitStarted(Duration.ofSeconds(90));
                assertEquals(ROWS, Api.count(url, "select count(*) from rain_readings where gauge_id like 'BIG-%'"));
                assertEquals(1, Api.count(url, "select count(*) from file_ledger where identity = 'rain-day.csv' and status = 'archived'"));
                assertEquals(1, Api.count(url, "select count(*) from ingest_run where subject = 'rain-day.csv' and outcome = 'loaded'"));
            }
        } finally {
            TempDirs.delete(base);
        }
    }

    /** kill -9 of the postmaster and every process it started, children first seen, all at once. */
    static void killPostmasterAndChildren(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        List<ProcessHandle> children = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        postmaster.onExit().get(10, TimeUnit.SECONDS);
        for (ProcessHandle child : children) {
            child.onExit().get(10, TimeUnit.SECONDS);
        }
    }
}
