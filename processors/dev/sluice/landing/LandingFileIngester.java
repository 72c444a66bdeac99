package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ingest.DatasetFileLoader;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LedgerEntry;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
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
 */
@ApplicationScoped
@Named("landingFileIngester")
public class LandingFileIngester {

    static final String SOURCE = "landing";
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
    DatasetFileLoader fileLoader;

    /** Route adapter: loads the file the exchange carries and describes the outcome in headers. */
    public void ingest(Exchange exchange) throws IOException, SQLException {
        Path file = Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
        LandingOutcome outcome = ingest(file);
        exchange.getIn().setHeader("SluiceLedgerId", outcome.ledgerId());
        exchange.getIn().setHeader("SluiceDataset", outcome.dataset());
        exchange.getIn().setHeader("SluiceOutcome", outcome.status());
        exchange.getIn().setHeader("SluiceNeedsArchive", outcome.needsArchive());
        exchange.getIn().setHeader("CamelAwsS3Key", outcome.archiveKey());
        exchange.getIn().setHeader("CamelAwsS3Metadata", Map.of(
                "sluice-sha256", outcome.sha256(), "sluice-dataset", outcome.dataset(),
                "sluice-source-file", file.getFileName().toString()));
    }

    public LandingOutcome ingest(Path file) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        DatasetDefinition dataset = datasets.forFile(name).orElseThrow(() -> new RejectedFileException(
                "no dataset declaration matches the file name (declared patterns: "
                + datasets.all().stream().flatMap(d -> d.files().stream()).toList() + ")"));
        long size = Files.size(file);
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
            } catch (IOException | SQLException | RuntimeException e) {
                connection.rollback();
                if (!(e instanceof RejectedFileException)) {
                    ledger.recordFailure(SOURCE, name, sha256, String.valueOf(e.getMessage()));
                }
                throw e;
            }
        }
    }

    private LandingOutcome ingest(Connection connection, Path file, String name, DatasetDefinition dataset, long size,
                                  String sha256, Instant started) throws IOException, SQLException {
        LedgerEntry entry = ledger.claim(connection, SOURCE, name, sha256, size, dataset.name());
        if (entry.loaded()) {
            runs.record(connection, new IngestRun(SOURCE, "file", name, dataset.name(), entry.id(), 0, 0, 0, size,
                    started, Instant.now(), "duplicate", "same content already loaded (ledger " + entry.id() + ")"));
            LOG.infof("%s: same content already loaded, nothing to do (sha256 %s)", name, sha256);
            return new LandingOutcome(entry.id(), dataset.name(), "duplicate", "loaded".equals(entry.status()),
                    entry.archiveKey(), sha256, 0, 0);
        }
        String archiveKey = entry.archiveKey() != null ? entry.archiveKey()
                : ArchiveKeys.of(dataset.name(), LocalDate.now(ZoneOffset.UTC), name);
        if (ledger.archiveKeyTakenByOtherContent(connection, archiveKey, sha256)) {
            archiveKey = ArchiveKeys.disambiguated(archiveKey, sha256);
        }
        DatasetFileLoader.Loaded loaded = fileLoader.load(connection, file, name, dataset, SOURCE, entry.id(), started);
        ledger.markLoaded(connection, entry.id(), archiveKey);
        return new LandingOutcome(entry.id(), dataset.name(), "loaded", true, archiveKey, sha256,
                loaded.rowsLoaded(), loaded.rowsRejected());
    }
}
