package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LandingAttempts;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.outage.DatabaseOutage;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The landing route's load stage: loads one admitted file into the table of its dataset (the
 * SluiceDataset header). It recognises content it has loaded before, loads the good records and
 * dead-letters the bad ones, and records the ledger entry and the run, all in one transaction, so a
 * crash at any point leaves either nothing or everything of the file in PostgreSQL.
 *
 * <p>What it loads is the file's content ({@link LandedContentLoader}): the file itself, what a .gz
 * compresses, the members of a .zip; the ledger entry, its sha256 and the archived original are
 * those of the file as it landed (compressed).
 *
 * <p>Content that cannot be the dataset's format (empty, binary) is refused to error/; a load that
 * fails counts as a failed attempt ({@link LandingGate#failed}) and the file waits for a later poll.
 * The outcome, and the lineage the file.loaded event tells, go into headers.
 */
@ApplicationScoped
@Named("landingFileIngester")
public class LandingFileIngester {

    /** Header: the file's ledger entry, which the archive stage marks archived. */
    public static final String LEDGER_ID = "SluiceLedgerId";
    /** Header: whether the original still has to be copied to the bucket. */
    public static final String NEEDS_ARCHIVE = "SluiceNeedsArchive";
    /** Header: of a .zip that partly loaded, why its other members were refused (one "member: reason" a line); else absent. */
    public static final String REFUSED_MEMBERS = "SluiceRefusedMembers";
    private static final Logger LOG = Logger.getLogger(LandingFileIngester.class);
    /** How often a file of a stopped dataset is looked at again (the dataset's reason is logged when it stops). */
    private static final long STOPPED_DATASET_RECHECK_MS = 5_000;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    DatasetRegistry datasets;
    @Inject
    FileLedger ledger;
    @Inject
    IngestRuns runs;
    @Inject
    LandingAttempts attempts;
    @Inject
    LandedContentLoader contentLoader;
    @Inject
    LandingGate gate;

    /** Route step: loads the file the exchange carries and describes the outcome in headers. */
    public void load(Exchange exchange) {
        Path file = LandingGate.file(exchange);
        String datasetName = exchange.getIn().getHeader(PipelineEvents.DATASET, String.class);
        DatasetDefinition dataset = datasets.named(datasetName)
                .orElseThrow(() -> new RejectedFileException("no dataset is named " + datasetName));
        LandedFile.Stat stat = exchange.getProperty(LandingGate.STAT, LandedFile.Stat.class);
        LandingOutcome outcome;
        try {
            // a stopped dataset (its declaration asks for a table change Sluice refuses): the file is not at
            // fault, so it waits in the inbox, unread and without using up attempts, until the dataset resumes
            java.util.Optional<String> stopped = datasets.stopReason(dataset);
            if (stopped.isPresent()) {
                String why = "dataset " + dataset.name() + " is stopped: " + stopped.get();
                attempts.postpone(file, stat.size(), stat.modified(), STOPPED_DATASET_RECHECK_MS, why);
                throw new FileWaitsException(why);
            }
            outcome = load(file, dataset, stat.size());
        } catch (RejectedFileException | FileWaitsException e) {
            throw e;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            throw gate.failed(exchange, e);
        }
        exchange.getIn().setHeader(LEDGER_ID, outcome.ledgerId());
        exchange.getIn().setHeader(NEEDS_ARCHIVE, outcome.needsArchive());
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, outcome.status());
        if (!outcome.refusals().isEmpty()) {
            // loaded in part: the zip goes to error/ with this, the event tells it
            exchange.getIn().setHeader(REFUSED_MEMBERS, String.join("\n", outcome.refusals()));
            exchange.getIn().setHeader(PipelineEvents.OUTCOME, "partly-loaded");
            exchange.getIn().setHeader(PipelineEvents.ERROR, outcome.refusals().size() + " member(s) refused: " + String.join("; ", outcome.refusals()));
        }
        exchange.getIn().setHeader(PipelineEvents.VERSION, outcome.sha256());
        exchange.getIn().setHeader(PipelineEvents.RUN_ID, outcome.runId());
        exchange.getIn().setHeader(PipelineEvents.ROWS, outcome.rowsLoaded());
        exchange.getIn().setHeader(PipelineEvents.ROWS_REJECTED, outcome.rowsRejected());
        exchange.getIn().setHeader(PipelineEvents.STORED_AS, outcome.archiveKey());
        exchange.getIn().setHeader("CamelAwsS3Key", outcome.archiveKey());
        exchange.getIn().setHeader("CamelAwsS3Metadata", Map.of(
                "sluice-sha256", outcome.sha256(), "sluice-dataset", outcome.dataset(),
                "sluice-source-file", file.getFileName().toString()));
    }

    private LandingOutcome load(Path file, DatasetDefinition dataset, long size) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        if (size == 0) {
            throw new RejectedFileException("empty file");
        }
        // a .gz or .zip is binary by nature: its content is looked at once inflated (LandedContentLoader)
        if (Packing.of(name) == Packing.PLAIN && !"xlsx".equals(dataset.formatOf(name)) && FileFingerprint.looksBinary(file)) {
            throw new RejectedFileException("binary content: NUL bytes within the first 64 KiB, not " + dataset.formatOf(name));
        }
        String sha256 = FileFingerprint.sha256(file);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                LandingOutcome outcome = load(connection, file, name, dataset, size, sha256, started);
                connection.commit();
                return outcome;
            } catch (IOException | SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (!(e instanceof RejectedFileException) && !DatabaseOutage.isDatabaseFailure(e)) {
                    try {
                        ledger.recordFailure(LandingGate.SOURCE, name, sha256, String.valueOf(e.getMessage()));
                    } catch (SQLException | RuntimeException recording) {
                        e.addSuppressed(recording);
                    }
                }
                throw e;
            }
        }
    }

    private LandingOutcome load(Connection connection, Path file, String name, DatasetDefinition dataset, long size,
                                String sha256, Instant started) throws IOException, SQLException {
        LedgerEntry entry = ledger.claim(connection, LandingGate.SOURCE, name, sha256, size, dataset.name());
        if ("loaded".equals(entry.status())) {
            // loaded before, but the original never reached the bucket (the object store failed, or Sluice
            // stopped in between): archive it now — the same load, not another run; its event tells that run
            LOG.debugf("%s: loaded before, archiving its original (ledger %d)", name, entry.id());
            return loadedBefore(connection, entry, name, dataset, sha256);
        }
        if (entry.loaded()) {
            long runId = runs.record(connection, new IngestRun(LandingGate.SOURCE, "file", name, dataset.name(), entry.id(), 0, 0, 0, size,
                    started, Instant.now(), "duplicate", "same content already loaded (ledger " + entry.id() + ")"));
            attempts.clear(connection, file);
            LOG.infof("%s: same content already loaded, nothing to do (sha256 %s)", name, sha256);
            return new LandingOutcome(entry.id(), dataset.name(), "duplicate", false, entry.archiveKey(), sha256, runId, 0, 0, List.of());
        }
        String archiveKey = entry.archiveKey() != null ? entry.archiveKey()
                : ArchiveKeys.of(dataset.name(), LocalDate.now(ZoneOffset.UTC), name);
        if (ledger.archiveKeyTakenByOtherContent(connection, archiveKey, sha256)) {
            archiveKey = ArchiveKeys.disambiguated(archiveKey, sha256);
        }
        LandedContentLoader.Loaded loaded = contentLoader.load(connection, file, name, dataset, LandingGate.SOURCE, entry.id(), started);
        ledger.markLoaded(connection, entry.id(), archiveKey);
        attempts.clear(connection, file); // loaded: its attempts are over, whatever the archive does
        return new LandingOutcome(entry.id(), dataset.name(), "loaded", true, archiveKey, sha256, loaded.firstRunId(),
                loaded.rowsLoaded(), loaded.rowsRejected(), loaded.refusals());
    }

    /**
     * The outcome of the run that loaded this entry (its rows and run id), for an original archived on a later
     * poll; for a .zip, its member runs (and those refused) of that load.
     */
    private static LandingOutcome loadedBefore(Connection connection, LedgerEntry entry, String name, DatasetDefinition dataset,
                                               String sha256) throws SQLException {
        boolean zip = Packing.of(name) == Packing.ZIP;
        Long runId = null;
        long rowsLoaded = 0;
        long rowsRejected = 0;
        List<String> refusals = new ArrayList<>();
        // the same ledger entry is loaded once through the inbox (a forced reload never touches an entry not yet archived)
        try (PreparedStatement select = connection.prepareStatement("""
                select id, rows_loaded, rows_rejected, outcome, subject, message from ingest_run
                where ledger_id = ? and (outcome = 'loaded' or (outcome = 'rejected' and subject like ? escape '!'))
                order by id""")) {
            select.setLong(1, entry.id());
            select.setString(2, name.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "/%");
            try (ResultSet run = select.executeQuery()) {
                while (run.next()) {
                    if ("loaded".equals(run.getString(4)) && zip) {
                        // a zip's members: the first run, the rows of all
                        runId = runId == null ? Long.valueOf(run.getLong(1)) : runId;
                        rowsLoaded += run.getLong(2);
                        rowsRejected += run.getLong(3);
                    } else if ("loaded".equals(run.getString(4))) {
                        // any other file: its latest load
                        runId = run.getLong(1);
                        rowsLoaded = run.getLong(2);
                        rowsRejected = run.getLong(3);
                    } else {
                        refusals.add(run.getString(5).substring(name.length() + 1) + ": " + run.getString(6));
                    }
                }
            }
        }
        return new LandingOutcome(entry.id(), dataset.name(), "loaded", true, entry.archiveKey(), sha256, runId, rowsLoaded, rowsRejected,
                refusals);
    }
}
