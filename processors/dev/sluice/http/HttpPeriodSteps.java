package dev.sluice.http;

import dev.sluice.bucket.S3Clients;
import dev.sluice.events.PipelineEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.support.DefaultExchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.File;
import java.util.Map;

/**
 * The http-period route of routes/http-ingest.camel.yaml, step for step in Java, with the same beans.
 * Why it exists: each route file is deployed alone on Camel K, and POST /sources/{name}/runs and
 * backfills live in routes/sources-api.camel.yaml; where http-ingest is not deployed alongside
 * (or its http-period route is stopped) there is no direct:http-period to send a period to, so
 * {@link HttpIngester} runs these steps instead. Keep them in step with the route: its error
 * handler's retries, its choice on the status, its archive and its events.
 */
@ApplicationScoped
public class HttpPeriodSteps {

    @Inject
    CamelContext camel;
    @Inject
    HttpRequests requests;
    @Inject
    HttpPeriodLoader loader;
    @Inject
    HttpDownloads downloads;
    @Inject
    PipelineEvents events;
    @Inject
    S3Clients clients;

    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    private volatile boolean bucketReady;

    /**
     * One period: the route's result map (status fetched, not_modified, not_available or failed).
     *
     * @param force a forced re-import (no validators sent, loaded or stored even if the ledger has it)
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> run(String sourceName, String period, boolean force) throws Exception {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setHeader(PipelineEvents.SOURCE, sourceName);
        exchange.getIn().setHeader(HttpRequests.PERIOD, period);
        exchange.getIn().setHeader(HttpRequests.FORCE, force);
        try {
            requests.prepare(exchange);
            if (!fetch(exchange)) {
                return exchange.getIn().getBody(Map.class);
            }
            int status = exchange.getIn().getHeader(HttpRequests.STATUS, 0, Integer.class);
            if (status == 304) {
                requests.notModified(exchange);
                events.emit(exchange, "period.unchanged");
            } else if (status == 404 || status == 410) {
                requests.notAvailable(exchange);
                events.emit(exchange, "period.not-available");
            } else if (status != 200) {
                requests.refused(exchange);
            } else if (exchange.getIn().getHeader(PipelineEvents.DATASET) == null) {
                stored(exchange);
            } else {
                loaded(exchange);
            }
            return exchange.getIn().getBody(Map.class);
        } catch (Exception e) {
            exchange.setException(e);
            throw e;
        } finally {
            HttpRequests.deleteDownload(exchange);
            // what the exchange's completion does after the route (the zip closed, the last member deleted, a failed run ended)
            java.util.List<org.apache.camel.spi.Synchronization> completions = exchange.getExchangeExtension().handoverCompletions();
            if (completions != null) {
                completions.forEach(done -> {
                    if (exchange.getException() != null) {
                        done.onFailure(exchange);
                    } else {
                        done.onComplete(exchange);
                    }
                });
            }
        }
    }

    /**
     * The fetch step under the route's http-request-retries: a RetryableFetchException is retried
     * while requests &lt; the source's attempts, 500 ms doubling up to 60 s with collision avoidance;
     * then the period is recorded as failed (exhausted) and false is returned.
     */
    private boolean fetch(Exchange exchange) throws Exception {
        RedeliveryPolicy backoff = new RedeliveryPolicy();
        backoff.setRedeliveryDelay(500);
        backoff.setUseExponentialBackOff(true);
        backoff.setBackOffMultiplier(2);
        backoff.setUseCollisionAvoidance(true);
        backoff.setMaximumRedeliveryDelay(60000);
        long delay = 0;
        for (int redelivery = 1; ; redelivery++) {
            try {
                requests.fetch(exchange);
                return true;
            } catch (RetryableFetchException e) {
                int made = exchange.getProperty(HttpRequests.REQUESTS, 0, Integer.class);
                if (made >= exchange.getProperty(HttpRequests.ATTEMPTS, 0, Integer.class)) {
                    exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
                    requests.exhausted(exchange);
                    return false;
                }
                delay = backoff.sleep(delay, redelivery);
            }
        }
    }

    /** The route's otherwise branch: load, archive once the rows committed, keep the validators, tell the event. */
    private void loaded(Exchange exchange) throws Exception {
        loader.load(exchange);
        if ("rejected".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME))) {
            return;
        }
        if (exchange.getIn().getHeader(HttpPeriodLoader.NEEDS_ARCHIVE, false, Boolean.class)) {
            archive(exchange);
        }
        loader.done(exchange);
        events.emit(exchange, "unchanged".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME)) ? "period.unchanged" : "period.fetched");
    }

    /**
     * The route's download branch: claim; the split over the objects (each described, stored unless
     * the catalog has it, catalogued, told); done; period.unchanged when nothing needed storing.
     */
    @SuppressWarnings("unchecked")
    private void stored(Exchange exchange) throws Exception {
        downloads.claim(exchange);
        if ("rejected".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME))) {
            return;
        }
        if ("storing".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME))) {
            // the zip is closed by done, or by the exchange's completions (run's finally)
            java.util.Iterator<Object> objects = downloads.objects(exchange);
            while (objects.hasNext()) {
                // a copy per object, as the split makes: the period's own headers stay as they are
                Exchange object = exchange.copy();
                object.getIn().setBody(objects.next());
                downloads.describe(object);
                if (object.getIn().getHeader(HttpDownloads.NEEDS_STORE, false, Boolean.class)) {
                    archive(object);
                    downloads.catalogue(object);
                    events.emit(object, "object.stored");
                }
            }
        }
        downloads.done(exchange);
        if ("unchanged".equals(exchange.getIn().getHeader(PipelineEvents.OUTCOME))) {
            events.emit(exchange, "period.unchanged");
        }
    }

    /**
     * The route's aws2-s3 step: the body file under CamelAwsS3Key with CamelAwsS3Metadata, the bucket
     * made if missing (as StorageBucket does at startup). One PUT streamed from the file (up to 5 GB), where the route
     * goes multipart past 64 MB; the SDK's retries are those of our S3 client.
     */
    @SuppressWarnings("unchecked")
    private void archive(Exchange exchange) {
        File body = exchange.getIn().getBody(File.class);
        String key = exchange.getIn().getHeader("CamelAwsS3Key", String.class);
        Map<String, String> metadata = exchange.getIn().getHeader("CamelAwsS3Metadata", Map.class);
        if (!bucketReady) {
            try {
                clients.storage().headBucket(b -> b.bucket(bucket));
            } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
                try {
                    clients.storage().createBucket(b -> b.bucket(bucket));
                } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException madeMeanwhile) {
                    // another replica made it at the same moment
                }
            }
            bucketReady = true;
        }
        clients.storage().putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromFile(body));
    }
}
