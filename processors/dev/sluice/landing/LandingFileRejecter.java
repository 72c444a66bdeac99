package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
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
 * Once the rejection is recorded, the headers describe it for the file.rejected event.
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

    /** What was recorded about a rejected file. */
    public record Rejection(String name, String contentHash, String dataset, long sizeBytes, long runId, String reason) {
    }

    /**
     * Route adapter (onException). Never throws: when the rejection cannot be recorded (the database is
     * down) the file stays in the inbox and is rejected on a later poll, and SluiceOutcome is not "rejected".
     */
    public void reject(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        exchange.getIn().removeHeader(PipelineEvents.OUTCOME);
        try {
            Rejection rejection = reject(file, cause == null ? "unknown" : cause.getMessage());
            exchange.getIn().setHeader(PipelineEvents.SOURCE, LandingGate.SOURCE);
            exchange.getIn().setHeader(PipelineEvents.SUBJECT, rejection.name());
            exchange.getIn().setHeader(PipelineEvents.VERSION, rejection.contentHash());
            exchange.getIn().setHeader(PipelineEvents.DATASET, rejection.dataset());
            exchange.getIn().setHeader(PipelineEvents.BYTES, rejection.sizeBytes());
            exchange.getIn().setHeader(PipelineEvents.RUN_ID, rejection.runId());
            exchange.getIn().setHeader(PipelineEvents.ERROR, rejection.reason());
            exchange.getIn().setHeader(PipelineEvents.OUTCOME, "rejected");
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

    public Rejection reject(Path file, String reason) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        LandedFile.Stat stat = LandedFile.stat(file);
        // what is not a regular file of its own is not read, not even to hash it
        String contentHash = LandedFile.refusal(file) != null ? "unread:" + LandedFile.kind(file) : FileFingerprint.sha256(file);
        String dataset = datasets.forFile(Packing.innerName(name)).map(DatasetDefinition::name).orElse(null); // a .zip is not opened here
        // ledger first: a crash before the move only means the file is rejected once more after restart
        long ledgerId = ledger.markRejected(LandingGate.SOURCE, name, contentHash, stat.size(), dataset, reason);
        long runId = runs.record(new IngestRun(LandingGate.SOURCE, "file", name, dataset, ledgerId, 0, 0, 0, stat.size(),
                started, Instant.now(), "rejected", reason));
        attempts.clear(file);
        Path moved = directories.reject(file.toString(), reason);
        LOG.warnf("%s rejected: %s (moved to %s)", name, reason, moved);
        return new Rejection(name, contentHash, dataset, stat.size(), runId, reason);
    }
}
