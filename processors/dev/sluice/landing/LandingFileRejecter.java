package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LandingAttempts;
import dev.sluice.outage.DatabaseOutage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Handles a file that cannot be processed at all: error/ with the reason, a ledger entry and a run
 * row. An entry that is not a regular file of its own (symlink, hard link, FIFO) is never opened —
 * not even to hash it: its ledger row says "unread:&lt;kind&gt;" where a content hash would be.
 */
@ApplicationScoped
@Named("landingFileRejecter")
public class LandingFileRejecter {

    private static final Logger LOG = Logger.getLogger(LandingFileRejecter.class);

    @Inject
    LandingDirectories directories;
    @Inject
    FileLedger ledger;
    @Inject
    IngestRuns runs;
    @Inject
    DatasetRegistry datasets;
    @Inject
    LandingAttempts attempts;
    @Inject
    DatabaseOutage database;

    /**
     * Route adapter (onException). Never throws: when the rejection cannot be recorded (the database is
     * down) the file stays in the inbox and is rejected on a later poll.
     */
    public void reject(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        try {
            reject(file, cause == null ? "unknown" : cause.getMessage());
        } catch (NoSuchFileException gone) {
            LOG.debugf("%s: gone before it could be rejected", file);
        } catch (IOException | SQLException | RuntimeException e) {
            if (DatabaseOutage.isDatabaseFailure(e)) {
                database.report(e);
                return;
            }
            LOG.warnf("%s: could not be rejected (%s); tried again on a later poll", file.getFileName(), e.getMessage());
        }
    }

    public void reject(Path file, String reason) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        LandedFile.Stat stat = LandedFile.stat(file);
        // what is not a regular file of its own is not read, not even to hash it
        String contentHash = LandedFile.refusal(file) != null ? "unread:" + LandedFile.kind(file) : FileFingerprint.sha256(file);
        String dataset = datasets.forFile(name).map(DatasetDefinition::name).orElse(null);
        // ledger first: a crash before the move only means the file is rejected once more after restart
        long ledgerId = ledger.markRejected(LandingFileIngester.SOURCE, name, contentHash, stat.size(), dataset, reason);
        runs.record(new IngestRun(LandingFileIngester.SOURCE, "file", name, dataset, ledgerId, 0, 0, 0, stat.size(),
                started, Instant.now(), "rejected", reason));
        attempts.clear(file);
        Path moved = directories.reject(file.toString(), reason);
        LOG.warnf("%s rejected: %s (moved to %s)", name, reason, moved);
    }
}
