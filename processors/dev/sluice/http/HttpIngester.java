package dev.sluice.http;

import dev.sluice.api.NotFoundException;
import dev.sluice.bucket.S3Clients;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ingest.DatasetFileLoader;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.landing.ArchiveKeys;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.ledger.LedgerEntry;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One period of an HTTP source: a conditional GET; a 304 or 404 is recorded and costs nothing
 * more; new content is loaded into the dataset's table (corrections replace rows) and, just before
 * that commits, archived under a key of its own version — raw/http/&lt;source&gt;/&lt;period&gt;/&lt;name&gt;
 * for the period's first version, &lt;name&gt; with the content hash inserted for later ones — so a
 * version that is rejected or rolled back is never archived over the one the rows came from. The
 * validators are kept for next time; an upstream that reverts to an earlier version is loaded again.
 */
@ApplicationScoped
@jakarta.inject.Named("httpIngester")
public class HttpIngester {

    private static final Logger LOG = Logger.getLogger(HttpIngester.class);

    @Inject
    HttpSources sources;
    @Inject
    DatasetRegistry datasets;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    FileLedger ledger;
    @Inject
    DatasetFileLoader fileLoader;
    @Inject
    IngestRuns runs;
    @Inject
    S3Clients clients;

    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** One limiter for every HTTP source, route and retry: a host's slots are shared whoever asks. */
    private final HostRateLimiter limiter = new HostRateLimiter(2000);

    public HttpSource source(String name) {
        return sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
    }

    /** A scheduled run: the current period, and with "current-and-previous" the one before it too. */
    public java.util.List<Map<String, Object>> scheduled(String sourceName, String periods) throws Exception {
        HttpSource source = source(sourceName);
        if (source.period() == Periods.Kind.GAUGE) {
            java.util.List<Map<String, Object>> results = new java.util.ArrayList<>();
            for (String gauge : staleGauges(source)) {
                results.add(ingest(sourceName, gauge));
            }
            LOG.infof("%s: %d gauges not refreshed within %s fetched", sourceName, results.size(), source.refreshAfter());
            return results;
        }
        String current = Periods.current(source.period(), java.time.LocalDate.now(java.time.ZoneOffset.UTC));
        java.util.List<Map<String, Object>> results = new java.util.ArrayList<>();
        if ("current-and-previous".equals(periods) && source.period() != Periods.Kind.LATEST) {
            results.add(ingest(sourceName, Periods.previous(source.period(), current)));
        }
        results.add(ingest(sourceName, current));
        return results;
    }

    public Map<String, Object> ingest(String sourceName, String period) throws Exception {
        HttpSource source = source(sourceName);
        DatasetDefinition dataset = datasets.named(source.dataset())
                .orElseThrow(() -> new IllegalStateException(sourceName + ": no dataset '" + source.dataset() + "'"));
        String url = Periods.expand(source.url(), Periods.variables(source.period(), period));
        Instant started = Instant.now();
        String[] validators = validators(sourceName, period);
        Path download = Files.createTempFile("sluice-http-", ".download");
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            if (source.authHeader() != null && source.authEnv() != null && System.getenv(source.authEnv()) != null) {
                headers.put(source.authHeader(), System.getenv(source.authEnv()));
            }
            HttpFetcher fetcher = new HttpFetcher(limiter, source.rateLimit().toMillis(), source.timeout(), source.attempts(), 500);
            FetchResult fetched = fetcher.fetch(URI.create(url), validators[0], validators[1], headers, download);
            if (fetched.outcome() != FetchResult.Outcome.FETCHED) {
                String status = fetched.outcome().name().toLowerCase(java.util.Locale.ROOT);
                remember(sourceName, period, url, validators[0], validators[1], null, status, 0, 0, fetched.attempts(), fetched.error());
                runs.record(new IngestRun(sourceName, "fetch", period, dataset.name(), null, 0, 0, 0, 0, started, Instant.now(),
                        status, url + ": " + (fetched.error() == null ? "HTTP " + fetched.status() : fetched.error())));
                LOG.infof("%s %s: %s (%s)", sourceName, period, status, url);
                return result(sourceName, period, status, 0, fetched.attempts(), fetched.error());
            }
            String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("[?#].*", "");
            String identity = period + "/" + name;
            long rows;
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    ledger.lockIdentity(connection, sourceName, identity); // one version of a period at a time
                    String current = ledger.lastLoadedContent(connection, sourceName, identity);
                    LedgerEntry entry = ledger.claim(connection, sourceName, identity, fetched.sha256(), fetched.bytes(), dataset.name());
                    String archiveKey = entry.archiveKey();
                    if (entry.loaded() && fetched.sha256().equals(current)) {
                        rows = 0; // the rows already are this version's
                    } else {
                        // new content, or upstream went back to an earlier version: (re)load it
                        rows = fileLoader.load(connection, download, name, dataset, sourceName, entry.id(), started).rowsLoaded();
                    }
                    if (archiveKey == null || !archived(archiveKey, fetched.sha256())) {
                        // archived only now, its rows loaded and their commit next, under a key of its own: a version
                        // that is rejected or rolled back never replaces the archive of the version the rows came from
                        archiveKey = versionKey(connection, "raw/http/%s/%s/%s".formatted(sourceName, period, name), fetched.sha256());
                        String key = archiveKey;
                        clients.storage().putObject(b -> b.bucket(bucket).key(key).metadata(Map.of("sluice-sha256", fetched.sha256(),
                                "sluice-source-url", url)), RequestBody.fromFile(download));
                    }
                    ledger.markLoaded(connection, entry.id(), archiveKey);
                    connection.commit();
                } catch (Exception e) {
                    connection.rollback();
                    throw e;
                }
            } catch (RejectedFileException rejected) {
                remember(sourceName, period, url, null, null, fetched.sha256(), "failed", 0, fetched.bytes(), fetched.attempts(), rejected.getMessage());
                runs.record(new IngestRun(sourceName, "fetch", period, dataset.name(), null, 0, 0, 0, fetched.bytes(), started, Instant.now(),
                        "rejected", url + ": " + rejected.getMessage()));
                LOG.warnf("%s %s: %s rejected: %s", sourceName, period, url, rejected.getMessage());
                return result(sourceName, period, "failed", 0, fetched.attempts(), rejected.getMessage());
            }
            remember(sourceName, period, url, fetched.etag(), fetched.lastModified(), fetched.sha256(), "fetched", rows,
                    fetched.bytes(), fetched.attempts(), null);
            return result(sourceName, period, "fetched", rows, fetched.attempts(), null);
        } finally {
            Files.deleteIfExists(download);
        }
    }

    /** The period's plain key for its first version; a later version of other content gets its hash in the name. */
    private String versionKey(Connection connection, String plainKey, String sha256) throws SQLException {
        return ledger.archiveKeyTakenByOtherContent(connection, plainKey, sha256) ? ArchiveKeys.disambiguated(plainKey, sha256) : plainKey;
    }

    /** Whether the object under this key holds this content (archives made before keys were per version may not). */
    private boolean archived(String key, String sha256) {
        try {
            return sha256.equals(clients.storage().headObject(b -> b.bucket(bucket).key(key)).metadata().get("sluice-sha256"));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static Map<String, Object> result(String source, String period, String status, long rows, int attempts, String error) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("source", source);
        result.put("period", period);
        result.put("status", status);
        result.put("rowsLoaded", rows);
        result.put("requests", attempts);
        result.put("error", error);
        return result;
    }

    /** The gauges Sluice knows (from readings and gauge rows) whose metadata was not checked within refreshAfter. */
    java.util.List<String> staleGauges(HttpSource source) throws SQLException {
        java.util.List<String> gauges = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select known.gauge_id from (select distinct gauge_id from rain_readings union select gauge_id from gauges) known
                     left join http_resource r on r.source = ? and r.period = known.gauge_id
                     where r.checked_at is null or r.checked_at < now() - make_interval(secs => ?)
                     order by known.gauge_id""")) {
            select.setString(1, source.name());
            select.setLong(2, source.refreshAfter().toSeconds());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    gauges.add(rows.getString(1));
                }
            }
        }
        return gauges;
    }

    /** ETag and Last-Modified of the last successful fetch of this period. */
    private String[] validators(String source, String period) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select etag, last_modified from http_resource where source = ? and period = ?")) {
            select.setString(1, source);
            select.setString(2, period);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new String[] {row.getString(1), row.getString(2)} : new String[2];
            }
        }
    }

    private void remember(String source, String period, String url, String etag, String lastModified, String sha256, String status,
                          long rows, long bytes, int attempts, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement upsert = c.prepareStatement("""
                     insert into http_resource as r (source, period, url, etag, last_modified, sha256, status, rows_loaded, bytes, attempts,
                                                     last_error, fetched_at, checked_at)
                     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? = 'fetched' then now() end, now())
                     on conflict (source, period) do update set url = excluded.url,
                        etag = case when excluded.status = 'fetched' then excluded.etag else r.etag end,
                        last_modified = case when excluded.status = 'fetched' then excluded.last_modified else r.last_modified end,
                        sha256 = coalesce(excluded.sha256, r.sha256), status = excluded.status,
                        rows_loaded = case when excluded.status = 'fetched' then excluded.rows_loaded else r.rows_loaded end,
                        bytes = case when excluded.status = 'fetched' then excluded.bytes else r.bytes end,
                        attempts = r.attempts + excluded.attempts, last_error = excluded.last_error,
                        fetched_at = coalesce(excluded.fetched_at, r.fetched_at), checked_at = now()""")) {
            upsert.setString(1, source);
            upsert.setString(2, period);
            upsert.setString(3, url);
            upsert.setString(4, etag);
            upsert.setString(5, lastModified);
            upsert.setString(6, sha256);
            upsert.setString(7, status);
            upsert.setLong(8, rows);
            upsert.setLong(9, bytes);
            upsert.setInt(10, attempts);
            upsert.setString(11, error);
            upsert.setString(12, status);
            upsert.executeUpdate();
        }
    }
}
