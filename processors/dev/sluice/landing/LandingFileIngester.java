package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ingest.DatasetFileLoader;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LandingAttempts;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.outage.DatabaseOutage;
import dev.sluice.outage.ObjectStoreOutage;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Loads one landed file into its dataset's table: recognises content it has loaded before, loads
 * the good records and dead-letters the bad ones, and records the run, all in one transaction, so a
 * crash at any point leaves either nothing or everything of the file in PostgreSQL.
 *
 * <p>Before anything opens the file: an entry that is not a regular file of its own (symlink, hard
 * link, FIFO) is refused; while PostgreSQL is unreachable the file just waits; and the attempt is
 * counted durably, so that a file that fails — or stops Sluice — every time it is read goes to error/
 * after sluice.landing.max-attempts. Failures never escape as exceptions (which would make Camel log a
 * stack trace per poll): the outcome header says what happened, and a file that is not done stays in
 * the inbox for a later poll.
 */
@ApplicationScoped
@Named("landingFileIngester")
public class LandingFileIngester {

    static final String SOURCE = "landing";
    /** Outcome of an exchange whose file stays in the inbox (an outage, a failed attempt, a backoff). */
    public static final String WAITING = "waiting";
    private static final Logger LOG = Logger.getLogger(LandingFileIngester.class);

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
    DatabaseOutage database;
    @Inject
    ObjectStoreOutage objectStore;
    @Inject
    DatasetFileLoader fileLoader;

    @ConfigProperty(name = "sluice.landing.max-attempts", defaultValue = "5")
    int maxAttempts;

    /** Route adapter: loads the file the exchange carries and describes the outcome in headers. */
    public void ingest(Exchange exchange) throws IOException, SQLException {
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        exchange.getIn().setHeader("SluiceOutcome", WAITING);
        exchange.getIn().setHeader("SluiceNeedsArchive", false);
        if (database.isDown()) {
            return; // waits in the inbox, unopened; the outage was logged once
        }
        String refusal;
        try {
            refusal = LandedFile.refusal(file);
        } catch (NoSuchFileException gone) {
            return; // taken away meanwhile
        }
        if (refusal != null) {
            throw new RejectedFileException(refusal); // → landingFileRejecter, which never opens it
        }
        LandedFile.Stat stat = LandedFile.stat(file);
        LandingAttempts.Attempt attempt;
        try {
            attempt = attempts.begin(file, stat.size(), stat.modified());
        } catch (SQLException | RuntimeException e) {
            if (DatabaseOutage.isDatabaseFailure(e)) {
                database.report(e);
                return;
            }
            throw e;
        }
        if (attempt == null) {
            return; // the last attempt failed recently: its backoff is not over
        }
        if (attempt.number() > maxAttempts) {
            throw new RejectedFileException("failed in " + (attempt.number() - 1) + " attempts (sluice.landing.max-attempts); the last one: "
                    + (attempt.lastError() == null
                       ? "it never finished (Sluice stopped while reading the file: a crash, or out of memory?)"
                       : attempt.lastError()));
        }
        // while the object store is away a loaded file is retried every poll for its archive: not worth a line each time
        LOG.logf(objectStore.isDown() ? Logger.Level.DEBUG : Logger.Level.INFO, "Landed %s (%d bytes)%s", file.getFileName(), stat.size(),
                attempt.number() > 1 ? ", attempt " + attempt.number() + " of " + maxAttempts : "");
        LandingOutcome outcome;
        try {
            outcome = ingest(file, stat.size());
        } catch (RejectedFileException e) {
            throw e;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            failed(file, stat, attempt, e);
            return;
        }
        exchange.getIn().setHeader("SluiceLedgerId", outcome.ledgerId());
        exchange.getIn().setHeader("SluiceDataset", outcome.dataset());
        exchange.getIn().setHeader("SluiceOutcome", outcome.status());
        exchange.getIn().setHeader("SluiceNeedsArchive", outcome.needsArchive());
        exchange.getIn().setHeader("CamelAwsS3Key", outcome.archiveKey());
        exchange.getIn().setHeader("CamelAwsS3Metadata", Map.of(
                "sluice-sha256", outcome.sha256(), "sluice-dataset", outcome.dataset(),
                "sluice-source-file", file.getFileName().toString()));
    }

    /** An attempt failed: an outage is forgiven and logged once; anything else counts, with one line in the log. */
    private void failed(Path file, LandedFile.Stat stat, LandingAttempts.Attempt attempt, Throwable e) {
        if (DatabaseOutage.isDatabaseFailure(e)) {
            database.report(e);
            attempts.forgive(file, stat.size(), stat.modified());
            return;
        }
        String error = e instanceof OutOfMemoryError ? "out of memory: " + e.getMessage() : String.valueOf(e.getMessage());
        try {
            attempts.failed(file, stat.size(), stat.modified(), attempt.number(), error);
        } catch (SQLException | RuntimeException recording) {
            if (DatabaseOutage.isDatabaseFailure(recording)) {
                database.report(recording);
            }
        }
        LOG.warnf("%s: attempt %d of %d failed: %s%s", file.getFileName(), attempt.number(), maxAttempts, error,
                attempt.number() < maxAttempts ? "; it is tried again later" : "; it goes to error/ next");
        LOG.debugf(e, "%s: attempt %d failed", file.getFileName(), attempt.number());
    }

    /** Route adapter, after the original is in the bucket: the ledger says so, and the file's attempts are over. */
    public void archived(Exchange exchange) {
        objectStore.succeeded();
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        try {
            ledger.markArchived(exchange.getIn().getHeader("SluiceLedgerId", Long.class));
            attempts.clear(file);
        } catch (SQLException | RuntimeException e) {
            // the next poll finds it loaded, not archived, and archives it again (same key, same bytes)
            exchange.getIn().setHeader("SluiceOutcome", WAITING);
            if (DatabaseOutage.isDatabaseFailure(e)) {
                database.report(e);
                return;
            }
            LOG.warnf("%s: archived, but the ledger could not say so: %s; done again on the next poll", file.getFileName(), e.getMessage());
        }
    }

    /** Route adapter (onException of the archive step): the object store failed; the file stays and this attempt does not count. */
    public void archiveFailed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        objectStore.failed(failure);
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        try {
            LandedFile.Stat stat = LandedFile.stat(file);
            attempts.forgive(file, stat.size(), stat.modified());
        } catch (IOException e) {
            // gone
        }
    }

    public LandingOutcome ingest(Path file) throws IOException, SQLException {
        return ingest(file, LandedFile.stat(file).size());
    }

    private LandingOutcome ingest(Path file, long size) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        DatasetDefinition dataset = datasets.forFile(name).orElseThrow(() -> new RejectedFileException(
                "no dataset declaration matches the file name (declared patterns: "
                + datasets.all().stream().flatMap(d -> d.files().stream()).toList() + ")"));
        if (size == 0) {
            throw new RejectedFileException("empty file");
        }
        if (!"xlsx".equals(dataset.formatOf(name)) && FileFingerprint.looksBinary(file)) {
            throw new RejectedFileException("binary content: NUL bytes within the first 64 KiB, not " + dataset.formatOf(name));
        }
        String sha256 = FileFingerprint.sha256(file);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                LandingOutcome outcome = ingest(connection, file, name, dataset, size, sha256, started);
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
                        ledger.recordFailure(SOURCE, name, sha256, String.valueOf(e.getMessage()));
                    } catch (SQLException | RuntimeException recording) {
                        e.addSuppressed(recording);
                    }
                }
                throw e;
            }
        }
    }

    private LandingOutcome ingest(Connection connection, Path file, String name, DatasetDefinition dataset, long size,
                                  String sha256, Instant started) throws IOException, SQLException {
        LedgerEntry entry = ledger.claim(connection, SOURCE, name, sha256, size, dataset.name());
        if ("loaded".equals(entry.status())) {
            // loaded before, but the original never reached the bucket (the object store failed, or Sluice
            // stopped in between): archive it now — the same load, not another run
            LOG.debugf("%s: loaded before, archiving its original (ledger %d)", name, entry.id());
            return new LandingOutcome(entry.id(), dataset.name(), "loaded", true, entry.archiveKey(), sha256, 0, 0);
        }
        if (entry.loaded()) {
            runs.record(connection, new IngestRun(SOURCE, "file", name, dataset.name(), entry.id(), 0, 0, 0, size,
                    started, Instant.now(), "duplicate", "same content already loaded (ledger " + entry.id() + ")"));
            attempts.clear(connection, file);
            LOG.infof("%s: same content already loaded, nothing to do (sha256 %s)", name, sha256);
            return new LandingOutcome(entry.id(), dataset.name(), "duplicate", false, entry.archiveKey(), sha256, 0, 0);
        }
        String archiveKey = entry.archiveKey() != null ? entry.archiveKey()
                : ArchiveKeys.of(dataset.name(), LocalDate.now(ZoneOffset.UTC), name);
        if (ledger.archiveKeyTakenByOtherContent(connection, archiveKey, sha256)) {
            archiveKey = ArchiveKeys.disambiguated(archiveKey, sha256);
        }
        DatasetFileLoader.Loaded loaded = fileLoader.load(connection, file, name, dataset, SOURCE, entry.id(), started);
        ledger.markLoaded(connection, entry.id(), archiveKey);
        attempts.clear(connection, file); // loaded: its attempts are over, whatever the archive does
        return new LandingOutcome(entry.id(), dataset.name(), "loaded", true, archiveKey, sha256,
                loaded.rowsLoaded(), loaded.rowsRejected());
    }
}
