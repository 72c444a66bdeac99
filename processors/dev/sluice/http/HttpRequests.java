package dev.sluice.http;

import dev.sluice.api.NotFoundException;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request side of the http-ingest route, one step each: what to ask for (prepare), the
 * conditional GET (fetch), and the answers that end a period without a body — 304, 404/410, a
 * refusal, or retries used up — recorded in http_resource and ingest_run.
 */
@ApplicationScoped
@Named("httpRequests")
public class HttpRequests {

    /** Header: the period to fetch ("2024", "2024-03", "latest", a gauge id). */
    public static final String PERIOD = "SluicePeriod";
    /**
     * Header: true for a forced re-import (POST /sources/{name}/runs?force=true): the GET is made
     * without validators and what it brings is loaded (or stored) again even if the ledger has it.
     */
    public static final String FORCE = "SluiceForce";
    /** Header: the status of the last answer (0: none), what the route chooses on. */
    public static final String STATUS = "SluiceHttpStatus";
    static final String URL = "SluiceUrl";
    static final String VALIDATORS = "SluiceValidators";
    static final String DOWNLOAD = "SluiceDownload";
    static final String ATTEMPTS = "SluiceAttempts";
    static final String REQUESTS = "SluiceRequests";
    static final String STARTED = "SluiceStarted";
    static final String FETCHED = "SluiceFetched";

    private static final Logger LOG = Logger.getLogger(HttpRequests.class);

    @Inject
    HttpSources sources;
    @Inject
    DatasetRegistry datasets;
    @Inject
    HttpResources resources;
    @Inject
    IngestRuns runs;

    /**
     * One limiter for every HTTP source, route and retry: a host's slots are shared whoever asks.
     * Why not Camel's throttle EIP: see routes/http-ingest.camel.yaml.
     */
    private final HostRateLimiter limiter = new HostRateLimiter(2000);
    /** one client per rate limit and timeout: connections are kept between periods */
    private final Map<String, HttpFetcher> fetchers = new ConcurrentHashMap<>();

    /** Route step: the period's URL, the validators of its last fetch and a file for the body. */
    public void prepare(Exchange exchange) throws IOException, SQLException {
        String sourceName = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        String period = exchange.getIn().getHeader(PERIOD, String.class);
        HttpSource source = source(sourceName);
        DatasetDefinition dataset = source.downloads() ? null : datasets.named(source.dataset())
                .orElseThrow(() -> new IllegalStateException(sourceName + ": no dataset '" + source.dataset() + "'"));
        String url = Periods.expand(source.url(), Periods.variables(source.period(), period));
        Path download = Files.createTempFile("sluice-http-", ".download");
        // whatever becomes of the exchange, the body does not stay on disk
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                deleteDownload(done);
            }
        });
        exchange.setProperty(DOWNLOAD, download);
        exchange.setProperty(URL, url);
        exchange.setProperty(VALIDATORS, resources.validators(sourceName, period));
        exchange.setProperty(ATTEMPTS, source.attempts());
        exchange.setProperty(REQUESTS, 0);
        exchange.setProperty(STARTED, Instant.now());
        exchange.getIn().setHeader(PipelineEvents.SUBJECT, url);
        if (dataset != null) {
            // a download source has none: the route stores its files instead of loading them
            exchange.getIn().setHeader(PipelineEvents.DATASET, dataset.name());
        }
    }

    /**
     * Route step: one conditional GET within its host's rate limit. A retryable failure is thrown for
     * the route's redelivery, which calls this step again; {@value #REQUESTS} counts the requests.
     */
    public void fetch(Exchange exchange) throws InterruptedException, RetryableFetchException {
        HttpSource source = source(exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class));
        // forced: no If-None-Match / If-Modified-Since, the upstream sends the content whatever it is
        String[] validators = forced(exchange) ? new String[2] : exchange.getProperty(VALIDATORS, String[].class);
        exchange.setProperty(REQUESTS, exchange.getProperty(REQUESTS, 0, Integer.class) + 1);
        Map<String, String> headers = new LinkedHashMap<>(source.auth().headers());
        HttpFetcher fetcher = fetchers.computeIfAbsent(source.rateLimit().toMillis() + "/" + source.timeout().toMillis(),
                key -> new HttpFetcher(limiter, source.rateLimit().toMillis(), source.timeout()));
        exchange.getIn().setHeader(STATUS, 0);
        FetchResult fetched = fetcher.fetch(URI.create(exchange.getProperty(URL, String.class)), validators[0], validators[1], headers,
                exchange.getProperty(DOWNLOAD, Path.class));
        exchange.setProperty(FETCHED, fetched);
        exchange.getIn().setHeader(STATUS, fetched.status());
        if (fetched.outcome() == FetchResult.Outcome.FETCHED) {
            exchange.getIn().setHeader(PipelineEvents.BYTES, fetched.bytes());
            exchange.getIn().setHeader(PipelineEvents.VERSION, fetched.sha256());
            exchange.getIn().setBody(fetched.file().toFile());
        }
    }

    /** Route step, 304: the period is as it was; nothing was parsed. */
    public void notModified(Exchange exchange) throws SQLException {
        String[] validators = exchange.getProperty(VALIDATORS, String[].class);
        exchange.getIn().setHeader(PipelineEvents.VERSION, validators[0] != null ? validators[0] : validators[1]);
        ended(exchange, "not_modified", null);
    }

    /** Route step, 404 or 410: the period is not published (yet); no retry. */
    public void notAvailable(Exchange exchange) throws SQLException {
        ended(exchange, "not_available", null);
    }

    /** Route step, an answer no retry would change (401, 403...): the period failed. */
    public void refused(Exchange exchange) throws SQLException {
        ended(exchange, "failed", exchange.getProperty(FETCHED, FetchResult.class).error());
    }

    /** Route step (the error handler's, once the source's attempts are used up): the period failed. */
    public void exhausted(Exchange exchange) throws SQLException {
        Throwable last = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ended(exchange, "failed", last == null ? "failed" : last.getMessage());
    }

    private void ended(Exchange exchange, String status, String error) throws SQLException {
        String sourceName = exchange.getIn().getHeader(PipelineEvents.SOURCE, String.class);
        String period = exchange.getIn().getHeader(PERIOD, String.class);
        String url = exchange.getProperty(URL, String.class);
        String[] validators = exchange.getProperty(VALIDATORS, String[].class);
        int requests = exchange.getProperty(REQUESTS, 0, Integer.class);
        resources.remember(sourceName, period, url, validators[0], validators[1], null, status, 0, 0, requests, error);
        long runId = runs.record(new IngestRun(sourceName, "fetch", period, exchange.getIn().getHeader(PipelineEvents.DATASET, String.class),
                null, 0, 0, 0, 0, exchange.getProperty(STARTED, Instant.class), Instant.now(), status,
                url + ": " + (error == null ? "HTTP " + exchange.getIn().getHeader(STATUS) : error)));
        if (error == null) {
            LOG.infof("%s %s: %s (%s)", sourceName, period, status, url);
        } else {
            LOG.warnf("%s %s: %s after %d requests: %s (%s)", sourceName, period, status, requests, error, url);
        }
        markForced(exchange, runId);
        exchange.getIn().setHeader(PipelineEvents.RUN_ID, runId);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, status);
        exchange.getIn().setHeader(PipelineEvents.ROWS, 0L);
        exchange.getIn().setBody(result(sourceName, period, status, 0, requests, error));
        deleteDownload(exchange);
    }

    public static boolean forced(Exchange exchange) {
        return exchange.getIn().getHeader(FORCE, false, Boolean.class);
    }

    /** A forced run says so in its ingest_run row: summary {"trigger": "forced"} (GET /runs shows it). */
    public void markForced(Exchange exchange, long runId) throws SQLException {
        if (forced(exchange)) {
            runs.summarize(runId, FORCED_SUMMARY);
        }
    }

    static final String FORCED_SUMMARY = "{\"trigger\": \"forced\"}";

    private HttpSource source(String name) {
        return sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
    }

    /** What POST /sources/{name}/runs and a backfill's period report. */
    static Map<String, Object> result(String source, String period, String status, long rows, int requests, String error) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("source", source);
        result.put("period", period);
        result.put("status", status.toLowerCase(Locale.ROOT));
        result.put("rowsLoaded", rows);
        result.put("requests", requests);
        result.put("error", error);
        return result;
    }

    static void deleteDownload(Exchange exchange) {
        Path download = exchange.getProperty(DOWNLOAD, Path.class);
        if (download != null) {
            try {
                Files.deleteIfExists(download);
            } catch (IOException e) {
                LOG.debugf("%s: %s", download, e.getMessage());
            }
        }
    }
}
