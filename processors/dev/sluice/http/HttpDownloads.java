package dev.sluice.http;

import dev.sluice.bucket.Catalog;
import dev.sluice.bucket.CatalogEntry;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ingest.InflationLimits;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.metrics.IngestMetrics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The body side of the http-ingest route for a download source (declared without a dataset): the
 * fetched file, or with {@code unzip: true} each member of the zip it is, is stored in our bucket
 * under the source's prefix and catalogued, one object.stored event each; the zip itself is not
 * kept. Keys: &lt;prefix&gt;[&lt;period&gt;/]&lt;name&gt; (no period segment for a source whose only
 * period is "latest"), where name is the file name the server gives (Content-Disposition), else the
 * URL's last segment, or the member's path inside the zip. A new version of a file replaces the
 * object under the same key; the catalog counts the versions.
 *
 * <p>What is skipped: a version whose content (sha256) the ledger already has as stored for the
 * period (an ETag that changed over the same bytes), and an object whose catalog row already holds
 * this content — so a run stopped half-way and fetched again stores, and tells, only what is left.
 * A forced run skips neither.
 *
 * <p>Zip bombs: the central directory is checked before anything is stored, against the same
 * {@link InflationLimits} a landed .zip is held to (member count, each member's declared size and
 * compression ratio, their total), and member paths; while a member is extracted its actual size is
 * held to what it declared. One member at a time is on disk; nothing
 * is held in memory.
 */
@ApplicationScoped
@Named("httpDownloads")
public class HttpDownloads {

    /** Header: whether this object's content is not yet what our bucket holds under its key (the store step's filter). */
    public static final String NEEDS_STORE = "SluiceNeedsStore";
    static final String TALLY = "SluiceDownloadTally";
    private static final Logger LOG = Logger.getLogger(HttpDownloads.class);
    private static final int BUFFER = 1 << 16;

    @Inject
    HttpSources sources;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    FileLedger ledger;
    @Inject
    IngestRuns runs;
    @Inject
    HttpResources resources;
    @Inject
    HttpRequests requests;
    @Inject
    Catalog catalog;
    @Inject
    IngestMetrics metrics;

    @Inject
    InflationLimits inflationLimits;

    /**
     * Route step, 200: the ledger entry of this version of the period, and with unzip the zip's
     * central directory checked against the limits. Outcome "storing" (go on), "unchanged" (the
     * ledger has this content stored) or "rejected" (not a zip, a zip bomb, an unsafe member path:
     * recorded as a failed period, nothing stored).
     */
    public void claim(Exchange exchange) throws SQLException {
        HttpSource source = source(exchange);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        String identity = period + "/" + fileName(exchange, fetched);
        if (source.unzip()) {
            String refused = inspect(fetched.file());
            if (refused != null) {
                rejected(exchange, refused);
                return;
            }
        }
        LedgerEntry entry;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ledger.lockIdentity(connection, source.name(), identity);
                entry = ledger.claim(connection, source.name(), identity, fetched.sha256(), fetched.bytes(), null);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        exchange.setProperty(TALLY, new Tally(entry.id()));
        if (entry.loaded() && !HttpRequests.forced(exchange)) {
            exchange.getIn().setHeader(PipelineEvents.OUTCOME, "unchanged");
            return;
        }
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, "storing");
        long runId = runs.begin(source.name(), "fetch", period);
        exchange.getIn().setHeader(PipelineEvents.RUN_ID, runId);
        // the last extracted member does not outlive the exchange, whatever becomes of it; a failure
        // (the bucket, the database, a member past its declared size) ends the run as failed
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onFailure(Exchange failed) {
                Tally tally = failed.getProperty(TALLY, Tally.class);
                Exception cause = failed.getException();
                try {
                    runs.finish(runId, 0, 0, 0, tally == null ? 0 : tally.bytes.get(), "failed",
                            String.valueOf(cause == null ? "failed" : cause.getMessage()));
                } catch (SQLException e) {
                    LOG.warnf("%s %s: run %d not finished: %s", source.name(), period, runId, e.getMessage());
                }
                super.onFailure(failed);
            }

            @Override
            public void onDone(Exchange done) {
                Tally tally = done.getProperty(TALLY, Tally.class);
                if (tally != null) {
                    tally.release();
                }
            }
        });
    }

    /**
     * Route step, the split's expression: what this version stores, one element per object — the
     * file itself, or (unzip) each member of the zip, read lazily from the central directory.
     */
    public Iterator<Object> objects(Exchange exchange) throws IOException {
        HttpSource source = source(exchange);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        if (!source.unzip()) {
            return List.<Object>of(new Whole(fetched.file(), fileName(exchange, fetched))).iterator();
        }
        ZipFile zip = new ZipFile(fetched.file().toFile());
        // closed by done, or by the exchange's end: not by the split, which closes a Closeable iterator
        // as soon as it has handed out the last element, before that element is processed
        exchange.getProperty(TALLY, Tally.class).zip.set(zip);
        return new Members(zip);
    }

    /**
     * Route step, per object: its body as a file (a member extracted to disk, within its declared
     * size), its key, hash and metadata, and whether it needs storing (not when its catalog row
     * already holds this content, unless forced).
     */
    public void describe(Exchange exchange) throws IOException, SQLException {
        HttpSource source = source(exchange);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        String url = exchange.getProperty(HttpRequests.URL, String.class);
        Tally tally = exchange.getProperty(TALLY, Tally.class);
        Object item = exchange.getIn().getBody();
        Path file;
        String name;
        String sha256;
        String upstream;
        if (item instanceof Member member) {
            tally.deleteExtracted(); // the previous member went to the bucket already
            file = Files.createTempFile("sluice-member-", ".download");
            tally.extracted.set(file);
            sha256 = extract(member, file);
            name = member.entry().getName();
            upstream = url + "!/" + name;
        } else {
            Whole whole = (Whole) item;
            file = whole.file();
            name = whole.name();
            sha256 = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class).sha256();
            upstream = url;
        }
        String key = source.storagePrefix() + (source.period() == Periods.Kind.LATEST ? "" : period + "/") + name;
        long bytes = Files.size(file);
        exchange.getIn().setBody(file.toFile());
        exchange.getIn().setHeader("CamelAwsS3Key", key);
        exchange.getIn().setHeader("CamelAwsS3ContentLength", bytes);
        exchange.getIn().setHeader("CamelAwsS3Metadata", Map.of("sluice-sha256", sha256, "sluice-source-url", upstream));
        exchange.getIn().setHeader(PipelineEvents.SUBJECT, upstream);
        exchange.getIn().setHeader(PipelineEvents.VERSION, sha256);
        exchange.getIn().setHeader(PipelineEvents.BYTES, bytes);
        exchange.getIn().setHeader(PipelineEvents.STORED_AS, key);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, "stored");
        exchange.getIn().setHeader(NEEDS_STORE, HttpRequests.forced(exchange) || !catalogued(key, sha256));
        if (tally.archiveKey.get() == null && !(item instanceof Member)) {
            tally.archiveKey.set(key);
        }
    }

    /** Route step, once the object is in the bucket: its catalog row (a new content bumps the row's version). */
    public void catalogue(Exchange exchange) throws SQLException {
        HttpSource source = source(exchange);
        Tally tally = exchange.getProperty(TALLY, Tally.class);
        String key = exchange.getIn().getHeader("CamelAwsS3Key", String.class);
        long bytes = exchange.getIn().getHeader(PipelineEvents.BYTES, Long.class);
        catalog.record(new CatalogEntry(source.name(), null, null, null, null, null, key, bytes, null,
                exchange.getIn().getHeader(PipelineEvents.SUBJECT, String.class),
                exchange.getIn().getHeader(PipelineEvents.VERSION, String.class),
                exchange.getIn().getHeader(PipelineEvents.RUN_ID, Long.class)));
        metrics.file(source.name(), bytes);
        tally.objects.incrementAndGet();
        tally.bytes.addAndGet(bytes);
    }

    /**
     * Route step, after the split: the version is stored (ledger), the period fetched with its
     * validators kept for next time, the run finished; outcome "unchanged" when no object needed storing.
     */
    public void done(Exchange exchange) throws SQLException {
        HttpSource source = source(exchange);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        String url = exchange.getProperty(HttpRequests.URL, String.class);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        Tally tally = exchange.getProperty(TALLY, Tally.class);
        tally.release();
        boolean storing = "storing".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME));
        if (storing) {
            // the version is stored; a zip is not kept, so its ledger row points at no object (its members are catalogued)
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement stored = connection.prepareStatement("""
                         update file_ledger set status = 'archived', archive_key = ?, last_error = null, updated_at = now() where id = ?""")) {
                stored.setString(1, tally.archiveKey.get());
                stored.setLong(2, tally.ledgerId);
                stored.executeUpdate();
            }
        }
        int requestsMade = exchange.getProperty(HttpRequests.REQUESTS, 0, Integer.class);
        resources.remember(source.name(), period, url, fetched.etag(), fetched.lastModified(), fetched.sha256(), "fetched",
                0, fetched.bytes(), requestsMade, null);
        long objects = tally.objects.get();
        Long runId = exchange.getIn().getHeader(PipelineEvents.RUN_ID, Long.class);
        if (storing && runId != null) {
            runs.finish(runId, 0, 0, 0, tally.bytes.get(), objects > 0 ? "stored" : "unchanged",
                    url + ": " + objects + " objects stored under " + source.storagePrefix());
            requests.markForced(exchange, runId);
        }
        LOG.infof("%s %s: %d objects stored (%d bytes) from %s", source.name(), period, objects, tally.bytes.get(), url);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, objects > 0 ? "stored" : "unchanged");
        exchange.getIn().setHeader(PipelineEvents.SUBJECT, url);
        exchange.getIn().setHeader(PipelineEvents.VERSION, fetched.sha256());
        exchange.getIn().setHeader(PipelineEvents.BYTES, fetched.bytes());
        exchange.getIn().removeHeader(PipelineEvents.STORED_AS);
        Map<String, Object> result = HttpRequests.result(source.name(), period, "fetched", 0, requestsMade, null);
        result.put("objectsStored", objects);
        result.put("bytesStored", tally.bytes.get());
        exchange.getIn().setBody(result);
        HttpRequests.deleteDownload(exchange);
    }

    /** A version that cannot be stored (not a zip, a zip bomb, an unsafe member path): the period failed, nothing stored. */
    private void rejected(Exchange exchange, String reason) throws SQLException {
        String sourceName = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        String url = exchange.getProperty(HttpRequests.URL, String.class);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        int requestsMade = exchange.getProperty(HttpRequests.REQUESTS, 0, Integer.class);
        resources.remember(sourceName, period, url, null, null, fetched.sha256(), "failed", 0, fetched.bytes(), requestsMade, reason);
        long runId = runs.record(new IngestRun(sourceName, "fetch", period, null, null, 0, 0, 0, fetched.bytes(),
                exchange.getProperty(HttpRequests.STARTED, Instant.class), Instant.now(), "rejected", url + ": " + reason));
        requests.markForced(exchange, runId);
        LOG.warnf("%s %s: %s rejected: %s", sourceName, period, url, reason);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, "rejected");
        exchange.getIn().setHeader(PipelineEvents.RUN_ID, runId);
        exchange.getIn().setBody(HttpRequests.result(sourceName, period, "failed", 0, requestsMade, reason));
        HttpRequests.deleteDownload(exchange);
    }

    /** Why this zip is refused (its central directory against the {@link InflationLimits}, its member paths), or null. */
    String inspect(Path zip) {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            String refusal = inflationLimits.refusal(archive);
            if (refusal != null) {
                return refusal;
            }
            for (Enumeration<? extends ZipEntry> entries = archive.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (!entry.isDirectory() && !safeMemberPath(entry.getName())) {
                    return "zip member '" + printable(entry.getName()) + "' refused: not a relative path (no '..', '.', empty or absolute segments)";
                }
            }
            return null;
        } catch (IOException e) {
            return "not a readable zip archive: " + e.getMessage();
        }
    }

    /** Streams one member to {@code target}, hashed on the way, never past the size its entry declared. */
    private static String extract(Member member, Path target) throws IOException {
        MessageDigest sha = sha256();
        long declared = member.entry().getSize();
        long written = 0;
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = member.zip().getInputStream(member.entry()); OutputStream out = Files.newOutputStream(target)) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                written += read;
                if (written > declared) {
                    throw new IOException("zip member '" + printable(member.entry().getName()) + "' inflates past its declared "
                                          + declared + " bytes: refused (a zip bomb?)");
                }
                sha.update(buffer, 0, read);
                out.write(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Whether the catalog already lists this content under this key. */
    private boolean catalogued(String key, String sha256) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select 1 from catalog where storage_key = ? and upstream_etag = ? and purge_started_at is null")) {
            select.setString(1, key);
            select.setString(2, sha256);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** The file's name: the server's (Content-Disposition), else the URL's last segment; unsafe characters replaced. */
    static String fileName(Exchange exchange, FetchResult fetched) {
        String url = exchange.getProperty(HttpRequests.URL, String.class);
        String name = fetched.fileName();
        if (name == null || name.isBlank()) {
            String path = url.replaceAll("[?#].*", "");
            name = java.net.URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        }
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).replaceAll("[^A-Za-z0-9._ -]", "_").strip();
        return name.isEmpty() || name.equals(".") || name.equals("..") ? "download" : name;
    }

    /** A member path that stays inside the source's prefix as it is: relative segments, none empty, "." or "..", no backslash or control character. */
    static boolean safeMemberPath(String name) {
        if (name.isEmpty() || name.length() > 1024 || name.startsWith("/") || name.contains("\\") || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String name) {
        String shown = name.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 200 ? shown.substring(0, 200) + "…" : shown;
    }

    private HttpSource source(Exchange exchange) {
        String name = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        return sources.named(name).orElseThrow(() -> new IllegalStateException("no source named '" + name + "'"));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The downloaded file itself, stored as it came. */
    record Whole(Path file, String name) {
    }

    /** One member of the zip, extracted when its turn comes. */
    record Member(ZipFile zip, ZipEntry entry) {
    }

    /**
     * What one version's objects came to, shared by the split's copies of the exchange (a property
     * is copied by reference): objects and bytes stored, the member on disk now, the ledger row.
     */
    static final class Tally {
        final long ledgerId;
        final AtomicLong objects = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicReference<Path> extracted = new AtomicReference<>();
        final AtomicReference<String> archiveKey = new AtomicReference<>();
        final AtomicReference<Closeable> zip = new AtomicReference<>();

        Tally(long ledgerId) {
            this.ledgerId = ledgerId;
        }

        /** The zip closed, the member on disk deleted: the version is done with, whatever its outcome. */
        void release() {
            Closeable open = zip.getAndSet(null);
            if (open != null) {
                try {
                    open.close();
                } catch (IOException e) {
                    LOG.debugf("closing a zip: %s", e.getMessage());
                }
            }
            deleteExtracted();
        }

        void deleteExtracted() {
            Path file = extracted.getAndSet(null);
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debugf("%s: %s", file, e.getMessage());
                }
            }
        }
    }

    /** The zip's file members in central-directory order. */
    static final class Members implements Iterator<Object> {
        private final ZipFile zip;
        private final Enumeration<? extends ZipEntry> entries;
        private ZipEntry next;

        Members(ZipFile zip) {
            this.zip = zip;
            this.entries = zip.entries();
            advance();
        }

        private void advance() {
            next = null;
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (!entry.isDirectory()) {
                    next = entry;
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Object next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Member member = new Member(zip, next);
            advance();
            return member;
        }
    }
}
