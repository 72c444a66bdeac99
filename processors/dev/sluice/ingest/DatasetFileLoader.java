package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Loads one file (a landed file, a downloaded response) into its dataset's table inside the
 * caller's transaction: good records by COPY/upsert, bad ones as dead letters, and its run row.
 * Every way a file enters Sluice's tables goes through here. Each row it writes carries the run's id
 * (column ingest_run_id); the run links to the file's ledger entry (source, name or key, sha256 or ETag,
 * archive key).
 */
@ApplicationScoped
public class DatasetFileLoader {

    private static final Logger LOG = Logger.getLogger(DatasetFileLoader.class);

    @Inject
    IngestRuns runs;
    @Inject
    DatasetRegistry datasets;

    @ConfigProperty(name = "sluice.ingest.max-bad-records", defaultValue = "10000")
    int maxBadRecords;
    @ConfigProperty(name = "sluice.ingest.max-line-bytes", defaultValue = "1048576")
    int maxLineBytes;
    @ConfigProperty(name = "sluice.ingest.json.max-document-bytes", defaultValue = "1073741824")
    long jsonMaxDocumentBytes;
    @ConfigProperty(name = "sluice.ingest.json.max-object-bytes", defaultValue = "1048576")
    long jsonMaxObjectBytes;
    @ConfigProperty(name = "sluice.ingest.json.max-nesting-depth", defaultValue = "64")
    int jsonMaxNestingDepth;

    private final TableLoader loader = new TableLoader();

    /**
     * @param source   the source name recorded on the run and dead letters ("landing", an HTTP source)
     * @param name     the file's name (its format comes from the extension unless declared)
     * @param ledgerId its ledger entry
     */
    public Loaded load(Connection connection, Path file, String name, DatasetDefinition dataset, String source,
                       long ledgerId, Instant started) throws IOException, SQLException {
        return load(connection, Content.of(file, name), dataset, source, ledgerId, started);
    }

    /**
     * Loads content that is not a file of its own: what a .gz or a .zip member inflates to.
     *
     * @param source   the source name recorded on the run and dead letters ("landing", an HTTP source)
     * @param ledgerId the ledger entry of the file the content came in
     */
    public Loaded load(Connection connection, Content content, DatasetDefinition dataset, String source,
                       long ledgerId, Instant started) throws IOException, SQLException {
        datasets.requireLoadable(dataset); // its table matches the declaration, lineage column included
        String name = content.subject();
        RejectedRows rejected = new RejectedRows(maxBadRecords);
        // the run's id goes into every row written (lineage); its row is recorded below, same transaction
        long runId = runs.reserveId(connection);
        TableLoader.Result result = loader.load(connection, dataset, runId, () -> reader(content, dataset), rejected);
        Instant finished = Instant.now();
        runs.record(connection, runId, new IngestRun(source, "file", name, dataset.name(), ledgerId,
                result.rowsRead(), result.rowsLoaded(), rejected.count(), content.bytes(), started, finished, "loaded",
                result.path() + ": " + result.rowsChanged() + " rows inserted or changed"));
        runs.recordDeadLetters(connection, runId, source, dataset.name(), name, rejected.rows());
        LOG.infof("%s → %s: %d records, %d loaded (%d inserted or changed, %s), %d dead-lettered, %d ms",
                name, dataset.table(), result.rowsRead(), result.rowsLoaded(), result.rowsChanged(), result.path(),
                rejected.count(), finished.toEpochMilli() - started.toEpochMilli());
        return new Loaded(runId, result.rowsRead(), result.rowsLoaded(), result.rowsChanged(), rejected.count());
    }

    /**
     * What a load reads.
     *
     * @param subject    the name its run and dead letters tell ("rain.csv.gz", "bundle.zip/rain-a.csv")
     * @param formatName the name whose extension tells the format ("rain.csv" for "rain.csv.gz")
     * @param bytes      its size as it came (compressed, for compressed content)
     * @param file       the file itself, when the content is a file of its own (xlsx is read from a file only)
     * @param opener     opens the content; called once per pass (the merge path reads it twice)
     */
    public record Content(String subject, String formatName, long bytes, Path file, Opener opener) {

        public static Content of(Path file, String name) throws IOException {
            return new Content(name, name, Files.size(file), file, () -> open(file));
        }
    }

    /** Opens content (again). */
    @FunctionalInterface
    public interface Opener {
        java.io.InputStream open() throws IOException;
    }

    /** Never through a symbolic link: the landing directory refuses those, and one swapped in meanwhile is not followed. */
    private static java.io.InputStream open(Path file) throws IOException {
        return Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** What a load did. */
    public record Loaded(long runId, long rowsRead, long rowsLoaded, long rowsChanged, long rowsRejected) {
    }

    private RecordReader reader(Content content, DatasetDefinition dataset) throws IOException {
        String name = content.formatName();
        String format = dataset.formatOf(name);
        if ("xlsx".equals(format)) {
            if (content.file() == null) {
                throw new RejectedFileException("an xlsx workbook is read from a file of its own, not from inside a .gz or .zip");
            }
            return new XlsxRecordReader(content.file().toFile(), dataset);
        }
        JsonLimits jsonLimits = new JsonLimits(jsonMaxDocumentBytes, jsonMaxObjectBytes, jsonMaxNestingDepth);
        if ("json".equals(format)) {
            return new JsonRecordReader(new BufferedInputStream(content.opener().open(), 1 << 16), dataset, jsonLimits);
        }
        LineReader lines = new LineReader(new BufferedInputStream(content.opener().open(), 1 << 16), dataset.encoding(), maxLineBytes);
        return "ndjson".equals(format)
                ? new NdjsonRecordReader(lines, dataset, jsonLimits)
                : new CsvRecordReader(lines, dataset, dataset.delimiterOf(name), maxLineBytes);
    }
}
