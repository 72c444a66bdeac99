package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ingest.ArchiveRefusedException;
import dev.sluice.ingest.DatasetFileLoader;
import dev.sluice.ingest.InflationBudget;
import dev.sluice.ingest.InflationLimits;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads what a landed file holds, inside the caller's transaction: the file itself, the content of a
 * {@code .gz}, or each member of a {@code .zip} (CSV, TSV, NDJSON, JSON) into the dataset its own name
 * matches. Compressed content is streamed through the inflater, never inflated to memory or disk, and
 * held to the {@link InflationLimits} (the zip-bomb caps): a .zip's central directory before it is read,
 * what it actually inflates to while it is read ({@link InflationBudget}).
 *
 * <p>A .zip member is one run of its own (subject {@code bundle.zip/member.csv}), under a savepoint: a
 * member that cannot be loaded (no dataset matches its name, no header, not JSON, binary) is refused
 * alone, with a run row saying why, and the other members load. A damaged archive or one breaking a
 * cap refuses the whole file ({@link ArchiveRefusedException}), and so does a .zip of which no member
 * loads. Directories, macOS resource forks ({@code __MACOSX/}) and dot-files inside a .zip are not
 * content and are passed over.
 */
@ApplicationScoped
public class LandedContentLoader {

    private static final int SNIFF_BYTES = 64 * 1024;

    @Inject
    DatasetFileLoader fileLoader;
    @Inject
    DatasetRegistry datasets;
    @Inject
    IngestRuns runs;
    @Inject
    InflationLimits limits;

    /**
     * What loading a landed file did.
     *
     * @param runIds       the ingest_run rows of what loaded (one per .zip member)
     * @param refusals     the .zip members refused, each "member: reason" (empty unless a .zip)
     */
    public record Loaded(List<Long> runIds, long rowsLoaded, long rowsRejected, List<String> loaded, List<String> refusals) {

        public Long firstRunId() {
            return runIds.isEmpty() ? null : runIds.get(0);
        }
    }

    /**
     * The dataset whose file patterns match what a landed file holds: the name for a plain file, the
     * inner name for a .gz, the first member that matches for a .zip (it names the archive key).
     */
    public Optional<DatasetDefinition> datasetOf(Path file, String name) throws IOException {
        if (Packing.of(name) != Packing.ZIP) {
            return datasets.forFile(Packing.innerName(name));
        }
        try (ZipFile zip = openZip(file, name)) {
            return members(zip).stream().map(e -> datasets.forFile(baseName(e.getName())))
                    .flatMap(Optional::stream).findFirst();
        }
    }

    /**
     * Loads the file's content.
     *
     * @param dataset the dataset of a plain file or a .gz (the route's dataset stage matched it); not used for a .zip
     */
    public Loaded load(Connection connection, Path file, String name, DatasetDefinition dataset, String source, long ledgerId,
                       Instant started) throws IOException, SQLException {
        return switch (Packing.of(name)) {
            case PLAIN -> single(fileLoader.load(connection, file, name, dataset, source, ledgerId, started));
            case GZIP -> single(loadGzip(connection, file, name, dataset, source, ledgerId, started));
            case ZIP -> loadZip(connection, file, name, source, ledgerId, started);
        };
    }

    private DatasetFileLoader.Loaded loadGzip(Connection connection, Path file, String name, DatasetDefinition dataset, String source,
                                              long ledgerId, Instant started) throws IOException, SQLException {
        InflationBudget budget = limits.budget(name);
        String inner = Packing.innerName(name);
        long size = Files.size(file);
        DatasetFileLoader.Opener opener = () -> {
            InputStream raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
            try {
                return budget.watch(inner, size, new GZIPInputStream(raw, 1 << 16));
            } catch (ZipException | java.io.EOFException notGzip) {
                raw.close();
                throw budget.corrupt(notGzip);
            }
        };
        refuseBinary(opener, dataset.formatOf(inner));
        return fileLoader.load(connection, new DatasetFileLoader.Content(name, inner, size, null, opener), dataset, source, ledgerId, started);
    }

    private Loaded loadZip(Connection connection, Path file, String name, String source, long ledgerId, Instant started)
            throws IOException, SQLException {
        InflationBudget budget = limits.budget(name);
        List<Long> runIds = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        long rowsLoaded = 0;
        long rowsRejected = 0;
        try (ZipFile zip = openZip(file, name)) {
            // what its central directory declares first: a bomb is refused before a byte is inflated
            String refusal = limits.refusal(zip);
            if (refusal != null) {
                throw new ArchiveRefusedException(refusal);
            }
            List<? extends ZipEntry> members = members(zip);
            if (members.isEmpty()) {
                throw new RejectedFileException("a zip archive without files");
            }
            for (ZipEntry member : members) {
                String subject = name + "/" + member.getName();
                Instant memberStarted = Instant.now();
                Savepoint beforeMember = connection.setSavepoint();
                try {
                    DatasetFileLoader.Loaded done = loadMember(connection, zip, member, subject, budget, source, ledgerId, memberStarted);
                    connection.releaseSavepoint(beforeMember);
                    runIds.add(done.runId());
                    loaded.add(member.getName() + " (" + done.rowsLoaded() + " rows)");
                    rowsLoaded += done.rowsLoaded();
                    rowsRejected += done.rowsRejected();
                } catch (ArchiveRefusedException whole) {
                    throw whole;
                } catch (RejectedFileException refused) {
                    connection.rollback(beforeMember);
                    refusals.add(member.getName() + ": " + refused.getMessage());
                    String dataset = datasets.forFile(baseName(member.getName())).map(DatasetDefinition::name).orElse(null);
                    runs.record(connection, new IngestRun(source, "file", subject, dataset, ledgerId, 0, 0, 0, member.getCompressedSize(),
                            memberStarted, Instant.now(), "rejected", refused.getMessage()));
                }
            }
        }
        if (runIds.isEmpty()) {
            throw new RejectedFileException("no member of the zip archive could be loaded: " + String.join("; ", refusals));
        }
        return new Loaded(runIds, rowsLoaded, rowsRejected, loaded, refusals);
    }

    private DatasetFileLoader.Loaded loadMember(Connection connection, ZipFile zip, ZipEntry member, String subject, InflationBudget budget,
                                                String source, long ledgerId, Instant started) throws IOException, SQLException {
        String memberName = baseName(member.getName());
        DatasetDefinition dataset = datasets.forFile(memberName).orElseThrow(() -> new RejectedFileException(
                "no dataset declaration matches the member's name (declared patterns: "
                + datasets.all().stream().flatMap(d -> d.files().stream()).toList() + ")"));
        if (member.getSize() == 0) {
            throw new RejectedFileException("empty file");
        }
        DatasetFileLoader.Opener opener = () -> {
            try {
                return budget.watch(member.getName(), member.getCompressedSize(), zip.getInputStream(member));
            } catch (ZipException damaged) {
                throw budget.corrupt(damaged);
            }
        };
        refuseBinary(opener, dataset.formatOf(memberName));
        return fileLoader.load(connection, new DatasetFileLoader.Content(subject, memberName, member.getCompressedSize(), null, opener),
                dataset, source, ledgerId, started);
    }

    /** Text (CSV, JSON) never holds NUL bytes; what does is refused before anything is loaded, as a plain file is. */
    private static void refuseBinary(DatasetFileLoader.Opener opener, String format) throws IOException {
        byte[] head;
        try (InputStream in = new BufferedInputStream(opener.open())) {
            head = in.readNBytes(SNIFF_BYTES);
        }
        if (head.length == 0) {
            throw new RejectedFileException("empty file (once inflated)");
        }
        for (byte b : head) {
            if (b == 0) {
                throw new RejectedFileException("binary content: NUL bytes within the first 64 KiB once inflated, not " + format);
            }
        }
    }

    /**
     * Opens a .zip by its central directory (random access: a member is read without inflating the ones
     * before it). ZipFile opens by path; the gate refused links a moment ago, and the file is checked
     * once more here, just before it is opened.
     */
    private static ZipFile openZip(Path file, String name) throws IOException {
        String refusal = LandedFile.refusal(file);
        if (refusal != null) {
            throw new RejectedFileException(refusal);
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ArchiveRefusedException("not a readable zip archive: " + e.getMessage());
        }
    }

    /** The members that are content: not directories, not macOS resource forks, not dot-files. */
    static List<? extends ZipEntry> members(ZipFile zip) {
        try {
            return Collections.list(zip.entries()).stream()
                    .filter(e -> !e.isDirectory())
                    .filter(e -> !e.getName().startsWith("__MACOSX/") && !baseName(e.getName()).startsWith("."))
                    .toList();
        } catch (IllegalArgumentException e) {
            // a member name that is not valid in the archive's encoding
            throw new ArchiveRefusedException("not a readable zip archive: " + e.getMessage());
        }
    }

    static String baseName(String memberName) {
        return memberName.substring(memberName.lastIndexOf('/') + 1);
    }

    private static Loaded single(DatasetFileLoader.Loaded loaded) {
        return new Loaded(List.of(loaded.runId()), loaded.rowsLoaded(), loaded.rowsRejected(), List.of(), List.of());
    }
}
