package dev.sluice.http;

import dev.sluice.bucket.S3Clients;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
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
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * The body side of the http-ingest route: a fetched version of a period is loaded into the
 * dataset's table (corrections replace rows) in one transaction with its file ledger entry, and only
 * once that committed is it archived, under a key of its own version — raw/http/&lt;source&gt;/&lt;period&gt;/&lt;name&gt;
 * for the period's first version, &lt;name&gt; with the content hash inserted for later ones — so a
 * version that is rejected or rolled back is never archived at all, let alone over the one the rows
 * came from. The validators are kept only after the archive, so a run that stopped in between fetches
 * the version again and finishes its archive; an upstream that reverts to an earlier version is loaded again.
 */
@ApplicationScoped
@Named("httpPeriodLoader")
public class HttpPeriodLoader {

    /** Header: whether the version still has to go to the bucket (the aws2-s3 step). */
    public static final String NEEDS_ARCHIVE = "SluiceNeedsArchive";
    private static final Logger LOG = Logger.getLogger(HttpPeriodLoader.class);

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
    HttpResources resources;
    @Inject
    S3Clients clients;

    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /**
     * Route step, 200: loads the version unless its rows already are the period's (outcome
     * "unchanged"), and says where it is to be archived. A rejected version (outcome "rejected") is
     * recorded as a failed period and goes no further; any other failure rolls back and fails the exchange.
     */
    public void load(Exchange exchange) throws IOException, SQLException {
        String sourceName = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        String url = exchange.getProperty(HttpRequests.URL, String.class);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        Instant started = exchange.getProperty(HttpRequests.STARTED, Instant.class);
        HttpSource source = sources.named(sourceName).orElseThrow();
        DatasetDefinition dataset = datasets.named(source.dataset()).orElseThrow();
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("[?#].*", "");
        String identity = period + "/" + name;
        DatasetFileLoader.Loaded loaded = null;
        String archiveKey;
        boolean needsArchive;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                ledger.lockIdentity(connection, sourceName, identity); // one version of a period at a time
                String current = ledger.lastLoadedContent(connection, sourceName, identity);
                LedgerEntry entry = ledger.claim(connection, sourceName, identity, fetched.sha256(), fetched.bytes(), dataset.name());
                boolean forced = HttpRequests.forced(exchange);
                if (forced || !entry.loaded() || !fetched.sha256().equals(current)) {
                    // new content, upstream went back to an earlier version, or an operator's forced re-import: (re)load it
                    loaded = fileLoader.load(connection, fetched.file(), name, dataset, sourceName, entry.id(), started);
                    if (forced) {
                        markForced(connection, loaded.runId());
                    }
                }
                archiveKey = entry.archiveKey();
                needsArchive = archiveKey == null || !archived(archiveKey, fetched.sha256());
                if (needsArchive) {
                    archiveKey = versionKey(connection, "raw/http/%s/%s/%s".formatted(sourceName, period, name), fetched.sha256());
                }
                ledger.markLoaded(connection, entry.id(), archiveKey);
                connection.commit();
            } catch (IOException | SQLException | RuntimeException | Error e) {
                connection.rollback();
                throw e;
            }
        } catch (RejectedFileException rejected) {
            int requests = exchange.getProperty(HttpRequests.REQUESTS, 0, Integer.class);
            resources.remember(sourceName, period, url, null, null, fetched.sha256(), "failed", 0, fetched.bytes(), requests, rejected.getMessage());
            runs.record(new IngestRun(sourceName, "fetch", period, dataset.name(), null, 0, 0, 0, fetched.bytes(), started, Instant.now(),
                    "rejected", url + ": " + rejected.getMessage()));
            LOG.warnf("%s %s: %s rejected: %s", sourceName, period, url, rejected.getMessage());
            exchange.getIn().setHeader(PipelineEvents.OUTCOME, "rejected");
            exchange.getIn().setHeader(NEEDS_ARCHIVE, false);
            exchange.getIn().setBody(HttpRequests.result(sourceName, period, "failed", 0, requests, rejected.getMessage()));
            HttpRequests.deleteDownload(exchange);
            return;
        }
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, loaded == null ? "unchanged" : "loaded");
        exchange.getIn().setHeader(PipelineEvents.ROWS, loaded == null ? 0L : loaded.rowsLoaded());
        if (loaded != null) {
            exchange.getIn().setHeader(PipelineEvents.RUN_ID, loaded.runId());
        }
        exchange.getIn().setHeader(NEEDS_ARCHIVE, needsArchive);
        exchange.getIn().setHeader("CamelAwsS3Key", archiveKey);
        exchange.getIn().setHeader("CamelAwsS3Metadata", Map.of("sluice-sha256", fetched.sha256(), "sluice-source-url", url));
    }

    /** Route step, after the archive (or with none needed): the period is fetched; its validators are kept for next time. */
    public void done(Exchange exchange) throws SQLException {
        String sourceName = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        String period = exchange.getIn().getHeader(HttpRequests.PERIOD, String.class);
        FetchResult fetched = exchange.getProperty(HttpRequests.FETCHED, FetchResult.class);
        long rows = exchange.getIn().getHeader(PipelineEvents.ROWS, 0L, Long.class);
        int requests = exchange.getProperty(HttpRequests.REQUESTS, 0, Integer.class);
        resources.remember(sourceName, period, exchange.getProperty(HttpRequests.URL, String.class), fetched.etag(), fetched.lastModified(),
                fetched.sha256(), "fetched", rows, fetched.bytes(), requests, null);
        exchange.getIn().setBody(HttpRequests.result(sourceName, period, "fetched", rows, requests, null));
        HttpRequests.deleteDownload(exchange);
    }

    /** The run's summary says it was forced (in the load's transaction: its row is not visible outside it yet). */
    private static void markForced(Connection connection, long runId) throws SQLException {
        try (java.sql.PreparedStatement update = connection.prepareStatement(
                "update ingest_run set summary = coalesce(summary, '{}'::jsonb) || ?::jsonb where id = ?")) {
            update.setString(1, HttpRequests.FORCED_SUMMARY);
            update.setLong(2, runId);
            update.executeUpdate();
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
}
