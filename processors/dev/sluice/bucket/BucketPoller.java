package dev.sluice.bucket;

import dev.sluice.events.PipelineEvents;
import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.outage.ObjectStoreOutage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls of upstream bucket sources: the beginning and end of each (its ingest_run row, metrics and
 * summary) as steps of the sluice-bucket-source Kamelet, whose list → split → claim → the source
 * route's steps (transfer, catalogue) → event stages do the work, and the Java entry point for
 * one-shot runs and backfill periods, {@link #poll(BucketSource, List, String)}.
 */
@ApplicationScoped
@Named("bucketPoller")
public class BucketPoller {

    private static final Logger LOG = Logger.getLogger(BucketPoller.class);
    /** The exchange property holding why a poll failed as a whole, other than an unreachable upstream. */
    static final String FAILURE = "SluicePollFailure";

    @Inject
    BucketSources sources;
    @Inject
    S3Clients clients;
    @Inject
    IngestRuns runs;
    @Inject
    IngestMetrics metrics;
    @Inject
    ObjectStoreOutage objectStore;
    @Inject
    org.apache.camel.CamelContext camel;
    @Inject
    NewObjectVersions versions;
    @Inject
    ObjectClaims claims;
    @Inject
    ObjectCopies copies;
    @Inject
    Catalog catalog;
    @Inject
    PipelineEvents events;

    @ConfigProperty(name = "sluice.bucket")
    String storageBucket;

    private final Set<String> bucketsReady = ConcurrentHashMap.newKeySet();
    /** sources whose upstream was unreachable: told once, and once more when it is back */
    private final Set<String> offline = ConcurrentHashMap.newKeySet();

    /**
     * @param runId   the ingest_run row of this poll
     * @param listed  keys listed upstream
     * @param matched keys matching the source's templates and filters
     * @param known   of those, versions already stored (no GET for them)
     * @param stored  objects copied now
     * @param failed  objects that could not be copied (retried on a later poll)
     * @param bytes   bytes written to our bucket
     */
    public record PollResult(long runId, String outcome, int listed, int matched, int known, int stored, int failed, long bytes) {
    }

    public BucketSource source(String name) {
        return sources.named(name).orElseThrow(() -> new IllegalArgumentException("no bucket source named '" + name + "'"));
    }

    /**
     * Polls the given periods of a source now (a one-shot run, a backfill period) through the source's
     * own route, as a scheduled poll goes: the poll enters its sluice-bucket-source route after the cron
     * (the due step keeps the periods it brings), so every step of the source's route file applies, on
     * the transfer threads, behind the circuit breaker. Where this process does not run that route
     * (another integration's source, a replica that does not lead) the beans of the shipped stages do
     * them here, one object after another (until these runs become requests that the route consumes).
     */
    public PollResult poll(BucketSource source, List<ZonedDateTime> periods, String subject) throws Exception {
        BucketPoll poll = new BucketPoll(source, periods, subject);
        org.apache.camel.Route route = sources.pollRoute(source.name()).map(camel::getRoute).orElse(null);
        if (route == null || !camel.getRouteController().getRouteStatus(route.getRouteId()).isStarted()) {
            return pollOneByOne(poll);
        }
        // the route's processors, as its consumer hands them an exchange (unit of work, route policy):
        // a direct: endpoint in the Kamelet would be a second way in that a route file could bypass
        Exchange exchange = route.getEndpoint().createExchange();
        exchange.getIn().setBody(poll);
        route.getProcessor().process(exchange);
        if (exchange.getException() != null) {
            throw exchange.getException();
        }
        if (exchange.getIn().getBody() instanceof PollResult result) {
            return result;
        }
        // the breaker is open: the upstream could not be reached a moment ago
        throw new UpstreamUnreachableException(source.name() + ": upstream unreachable, polls are skipped for a while");
    }

    // ---- steps of the sluice-bucket-source Kamelet

    /** Filter of the scheduled poll: false (skip quietly) while our own object store cannot be reached. */
    public boolean ourStoreReachable() {
        try {
            ensureStorageBucket();
            return true;
        } catch (SdkClientException e) {
            // readiness says so and ObjectStoreOutage logs it once; the next poll tries again
            objectStore.failed(e);
            return false;
        }
    }

    /** The scheduled poll of a source: the periods due now. */
    public BucketPoll due(Exchange exchange, String sourceName) {
        if (exchange.getIn().getBody() instanceof BucketPoll asked && asked.source().name().equals(sourceName)) {
            // a run or a backfill period sent into the route (poll): its periods
            return asked;
        }
        BucketSource source = source(sourceName);
        return new BucketPoll(source, source.periodsDue(Instant.now()), "scheduled");
    }

    /** First step of a poll (body: the BucketPoll): its ingest_run row; the poll rides along as a property. */
    public void begin(Exchange exchange) throws Exception {
        BucketPoll poll = exchange.getIn().getBody(BucketPoll.class);
        open(poll);
        exchange.setProperty(BucketPoll.PROPERTY, poll);
    }

    /** The listing failed to reach the upstream: the poll fails as a whole (told to the circuit breaker by its outcome). */
    public void upstreamUnreachable(Exchange exchange) {
        failedAltogether(exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class),
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** Any other failure of the poll as a whole: its run row says so, and the failure goes on to the route's error handling. */
    public void abandon(Exchange exchange) {
        // kept for after the circuit breaker (rethrowFailure): only an unreachable upstream opens it
        exchange.setProperty(FAILURE, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
    }

    /** After the circuit breaker: a poll that failed otherwise than by an unreachable upstream fails the exchange. */
    public void rethrowFailure(Exchange exchange) throws Exception {
        if (exchange.getProperty(FAILURE) instanceof Exception failure) {
            throw failure;
        }
    }

    /** Last step of a poll: its run row finished with its counts, its metrics; body: the PollResult, SluiceOutcome its outcome (SluiceError why it failed). */
    public void finish(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(FAILURE, Exception.class);
        PollResult result = close(exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class), failure == null ? null : String.valueOf(failure.getMessage()));
        exchange.getIn().setBody(result);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, result.outcome());
        exchange.getIn().setHeader(PipelineEvents.ERROR, exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class).error());
    }

    /**
     * The circuit breaker's fallback: a poll skipped while the breaker is open is only logged at debug
     * level; an unreachable upstream is told once until it is back; any other failure goes on to the
     * route's error handling (a database outage to DatabaseOutage).
     */
    public void skipped(Exchange exchange, String sourceName) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause == null) {
            LOG.debugf("%s: upstream unreachable, poll skipped", sourceName);
        } else if (cause instanceof UpstreamUnreachableException) {
            if (offline.add(sourceName)) {
                LOG.warnf("%s: %s; backing off: polls are skipped for a while, then one tries again (logged once until it is back)",
                        sourceName, cause.getMessage());
            }
        } else {
            throw cause;
        }
    }

    // ---- the poll's beginning and end

    private void open(BucketPoll poll) throws Exception {
        ensureStorageBucket();
        poll.begun(runs.begin(poll.source().name(), "poll", poll.describe()), clients.upstream(poll.source()));
    }

    private void failedAltogether(BucketPoll poll, Exception cause) {
        poll.failedAltogether("upstream unreachable: " + (cause == null ? null : cause.getMessage()));
    }

    private PollResult close(BucketPoll poll, String error) throws Exception {
        String problem = error != null ? error : poll.error();
        String outcome = problem != null ? "failed" : poll.failed.get() == 0 ? "success" : "partial";
        String message = problem != null ? problem : "listed %d, matched %d, already stored %d, stored %d, failed %d%s"
                .formatted(poll.listed.get(), poll.matched.get(), poll.known.get(), poll.stored.get(), poll.failed.get(),
                        poll.skipped.get() == 0 ? "" : ", skipped by the route " + poll.skipped.get());
        runs.finish(poll.runId(), poll.matched.get(), poll.stored.get(), poll.failed.get(), poll.bytes.get(), outcome, message);
        Duration took = Duration.between(poll.started(), Instant.now());
        String source = poll.source().name();
        metrics.run(source, outcome, took);
        if (problem == null) {
            LOG.infof("%s: %s, %d bytes in %d ms", source, message, poll.bytes.get(), took.toMillis());
            if (offline.remove(source)) {
                LOG.infof("%s: upstream s3://%s reachable again", source, poll.source().bucket());
            }
        }
        return new PollResult(poll.runId(), outcome, poll.listed.get(), poll.matched.get(), poll.known.get(),
                poll.stored.get(), poll.failed.get(), poll.bytes.get());
    }

    private void ensureStorageBucket() {
        if (bucketsReady.add(storageBucket)) {
            try {
                clients.storage().headBucket(b -> b.bucket(storageBucket));
            } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
                try {
                    clients.storage().createBucket(b -> b.bucket(storageBucket));
                } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException madeMeanwhile) {
                    // another replica made it at the same moment
                }
            } catch (RuntimeException e) {
                bucketsReady.remove(storageBucket);
                throw e;
            }
        }
    }

    // ---- without the route: the same stages, one object after another

    private PollResult pollOneByOne(BucketPoll poll) throws Exception {
        open(poll);
        try {
            for (ObjectVersion object : versions.list(poll)) {
                ingest(poll, object);
            }
        } catch (SdkClientException e) {
            failedAltogether(poll, e);
        } catch (Exception e) {
            close(poll, String.valueOf(e.getMessage()));
            throw e;
        }
        return close(poll, null);
    }

    private void ingest(BucketPoll poll, ObjectVersion object) {
        FileLedger.Claim claim = null;
        String outcome;
        long bytes = 0;
        String error = null;
        try {
            Optional<FileLedger.Claim> claimed = claims.claim(poll, object);
            if (claimed.isEmpty()) {
                poll.counted(ObjectClaims.CLAIMED_ELSEWHERE, 0);
                return;
            }
            claim = claimed.get();
            ObjectCopies.Copied copied = copies.copy(poll, object);
            catalog.catalogue(poll, copied, claim);
            outcome = ObjectClaims.STORED;
            bytes = copied.bytes();
        } catch (Exception e) {
            claims.failed(poll, object, claim, e);
            outcome = ObjectClaims.FAILED;
            error = String.valueOf(e.getMessage());
        } finally {
            claims.release(claim);
        }
        poll.counted(outcome, bytes);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("source", poll.source().name());
        event.put("subject", object.key());
        event.put("version", object.version());
        event.put("runId", poll.runId());
        event.put("bytes", bytes);
        event.put("outcome", outcome);
        if (error != null) {
            event.put("error", error);
        }
        events.send("object.stored", event);
    }
}
