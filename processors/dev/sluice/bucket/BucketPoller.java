package dev.sluice.bucket;

import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.outage.ObjectStoreOutage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One poll of an upstream bucket: list the keys the source's templates expect (ListObjectsV2 per
 * prefix, paginated), drop the versions already stored (one ledger query per page, before any GET),
 * and copy the rest into our bucket with a bounded number of parallel transfers, cataloguing each.
 */
@ApplicationScoped
@Named("bucketPoller")
public class BucketPoller {

    private static final Logger LOG = Logger.getLogger(BucketPoller.class);

    @Inject
    BucketSources sources;
    @Inject
    S3Clients clients;
    @Inject
    FileLedger ledger;
    @Inject
    Catalog catalog;
    @Inject
    IngestRuns runs;
    @Inject
    IngestMetrics metrics;
    @Inject
    ObjectStoreOutage objectStore;

    @ConfigProperty(name = "sluice.bucket")
    String storageBucket;
    @ConfigProperty(name = "sluice.transfer.parallel", defaultValue = "4")
    int parallel;
    @ConfigProperty(name = "sluice.transfer.part-size-mb", defaultValue = "8")
    int partSizeMb;
    @ConfigProperty(name = "sluice.transfer.attempts", defaultValue = "4")
    int attempts;
    @ConfigProperty(name = "sluice.transfer.backoff-ms", defaultValue = "500")
    long backoffMillis;

    private ExecutorService transfers;
    private final ExecutorService listing = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sluice-listing");
        t.setDaemon(true);
        return t;
    });
    private ObjectTransfer transfer;
    private final Map<String, Offline> offline = new ConcurrentHashMap<>();
    private final Set<String> bucketsReady = ConcurrentHashMap.newKeySet();

    /** A source whose upstream cannot be reached: polls are skipped until {@code retryAt}. */
    private record Offline(Instant retryAt, Duration backoff) {
    }

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

    synchronized ObjectTransfer transfer() {
        if (transfer == null) {
            transfers = Executors.newFixedThreadPool(parallel, r -> {
                Thread t = new Thread(r, "sluice-transfer");
                t.setDaemon(true);
                return t;
            });
            transfer = new ObjectTransfer(partSizeMb * 1024L * 1024L, attempts, backoffMillis);
        }
        return transfer;
    }

    /** The scheduled poll: the periods due now. Skipped quietly while the upstream is known unreachable. */
    public PollResult poll(String sourceName) throws Exception {
        BucketSource source = source(sourceName);
        Offline down = offline.get(source.name());
        if (down != null && Instant.now().isBefore(down.retryAt())) {
            LOG.debugf("%s: upstream unreachable, next try at %s", source.name(), down.retryAt());
            return new PollResult(0, "skipped", 0, 0, 0, 0, 0, 0);
        }
        try {
            ensureStorageBucket();
        } catch (SdkClientException e) {
            // our own store is away: readiness says so and ObjectStoreOutage logs it once; the next poll tries again
            objectStore.failed(e);
            return new PollResult(0, "skipped", 0, 0, 0, 0, 0, 0);
        }
        return poll(source, source.periodsDue(Instant.now()), "scheduled");
    }

    public BucketSource source(String name) {
        return sources.named(name).orElseThrow(() -> new IllegalArgumentException("no bucket source named '" + name + "'"));
    }

    /** Polls the given periods of a source (a scheduled poll, a one-shot run, a backfill period). */
    public PollResult poll(BucketSource source, List<ZonedDateTime> periods, String subject) throws Exception {
        Instant started = Instant.now();
        ensureStorageBucket();
        long runId = runs.begin(source.name(), "poll", subject + " " + periods.get(0) + (periods.size() > 1 ? " … " + periods.get(periods.size() - 1) : ""));
        S3Client upstream = clients.upstream(source);
        AtomicInteger listed = new AtomicInteger();
        AtomicInteger matched = new AtomicInteger();
        AtomicInteger known = new AtomicInteger();
        AtomicInteger stored = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<Future<?>> pending = new ArrayList<>();
        transfer();
        try {
            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, List<Pattern>> listing : listings(source, periods).entrySet()) {
                // the next page is fetched while this one is checked against the ledger
                Future<ListObjectsV2Response> next = listAhead(upstream, source.bucket(), listing.getKey(), null);
                while (next != null) {
                    ListObjectsV2Response page = page(next);
                    next = page.isTruncated() ? listAhead(upstream, source.bucket(), listing.getKey(), page.nextContinuationToken()) : null;
                    listed.addAndGet(page.contents().size());
                    List<S3Object> candidates = page.contents().stream()
                            .filter(o -> listing.getValue().stream().anyMatch(p -> p.matcher(o.key()).matches()))
                            .filter(o -> source.wanted(o.key()))
                            .filter(o -> seen.add(o.key()))
                            .toList();
                    matched.addAndGet(candidates.size());
                    Map<String, String> versions = new LinkedHashMap<>();
                    candidates.forEach(o -> versions.put(o.key(), version(o)));
                    Set<String> unstored = ledger.unstoredVersions(source.name(), versions);
                    for (S3Object object : candidates) {
                        if (!unstored.contains(object.key())) {
                            known.incrementAndGet();
                            continue;
                        }
                        pending.add(transfers.submit(() -> {
                            long copied = ingest(source, upstream, object, runId);
                            if (copied >= 0) {
                                stored.incrementAndGet();
                                bytes.addAndGet(copied);
                            } else if (copied == FAILED) {
                                failed.incrementAndGet();
                            } else {
                                known.incrementAndGet();
                            }
                        }));
                    }
                }
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (SdkClientException e) {
            pending.forEach(f -> f.cancel(false));
            wentOffline(source, e);
            finish(source, runId, started, "failed", listed, matched, known, stored, failed, bytes,
                    "upstream unreachable: " + e.getMessage());
            return new PollResult(runId, "failed", listed.get(), matched.get(), known.get(), stored.get(), failed.get(), bytes.get());
        } catch (Exception e) {
            pending.forEach(f -> f.cancel(false));
            finish(source, runId, started, "failed", listed, matched, known, stored, failed, bytes, String.valueOf(e.getMessage()));
            throw e;
        }
        cameBack(source);
        String outcome = failed.get() == 0 ? "success" : "partial";
        return finish(source, runId, started, outcome, listed, matched, known, stored, failed, bytes, null);
    }

    private Future<ListObjectsV2Response> listAhead(S3Client upstream, String bucket, String prefix, String token) {
        return listing.submit(() -> upstream.listObjectsV2(ListObjectsV2Request.builder()
                .bucket(bucket).prefix(prefix).continuationToken(token).build()));
    }

    private static ListObjectsV2Response page(Future<ListObjectsV2Response> page) throws Exception {
        try {
            return page.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private PollResult finish(BucketSource source, long runId, Instant started, String outcome, AtomicInteger listed,
                              AtomicInteger matched, AtomicInteger known, AtomicInteger stored, AtomicInteger failed,
                              AtomicLong bytes, String error) throws Exception {
        String message = error != null ? error : "listed %d, matched %d, already stored %d, stored %d, failed %d"
                .formatted(listed.get(), matched.get(), known.get(), stored.get(), failed.get());
        runs.finish(runId, matched.get(), stored.get(), failed.get(), bytes.get(), outcome, message);
        Duration took = Duration.between(started, Instant.now());
        metrics.run(source.name(), outcome, took);
        if (error == null) {
            LOG.infof("%s: %s, %d bytes in %d ms", source.name(), message, bytes.get(), took.toMillis());
        }
        return new PollResult(runId, outcome, listed.get(), matched.get(), known.get(), stored.get(), failed.get(), bytes.get());
    }

    private static final long FAILED = -1;
    private static final long CLAIMED_ELSEWHERE = -2;

    /** Copies one object version (or its GRIB subset); returns bytes stored, FAILED or CLAIMED_ELSEWHERE. */
    long ingest(BucketSource source, S3Client upstream, S3Object object, long runId) {
        java.util.Optional<FileLedger.Claim> claimed;
        try {
            claimed = ledger.claimObject(source.name(), object.key(), version(object), object.size());
        } catch (Exception e) {
            LOG.warnf("%s: cannot claim %s: %s", source.name(), object.key(), e.getMessage());
            return FAILED;
        }
        if (claimed.isEmpty()) {
            return CLAIMED_ELSEWHERE;
        }
        try (FileLedger.Claim claim = claimed.get()) {
            return ingest(source, upstream, object, runId, claim);
        } catch (Exception e) {
            LOG.warnf("%s: cannot record %s: %s", source.name(), object.key(), e.getMessage());
            return FAILED;
        }
    }

    private long ingest(BucketSource source, S3Client upstream, S3Object object, long runId, FileLedger.Claim claim) throws Exception {
        ObjectKeys.Described described = ObjectKeys.describe(source, object.key());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("upstream-bucket", source.bucket());
        metadata.put("upstream-key", object.key());
        metadata.put("upstream-etag", version(object));
        try {
            long total = 0;
            if (source.parameters().isEmpty()) {
                total = transfer().copy(upstream, source.bucket(), object.key(), object.size(),
                        clients.storage(), storageBucket, described.storageKey(), metadata);
                catalog.record(described.entry(described.parameter(), null, described.storageKey(), total,
                        source.bucket(), object.key(), version(object), runId));
            } else {
                GribIndex index = new GribIndex(transfer().read(upstream, source.bucket(), object.key() + ".idx"));
                for (Map.Entry<String, List<GribIndex.Range>> selected : index.select(source.parameters(), object.size()).entrySet()) {
                    String[] variableLevel = selected.getKey().split(":", 2);
                    String key = described.storageKey() + "/" + ObjectKeys.slug(selected.getKey()) + ".grib2";
                    Map<String, String> subsetMetadata = new LinkedHashMap<>(metadata);
                    subsetMetadata.put("grib-parameter", selected.getKey());
                    long size = transfer().copyRanges(upstream, source.bucket(), object.key(), selected.getValue(),
                            clients.storage(), storageBucket, key, subsetMetadata);
                    catalog.record(described.entry(variableLevel[0], variableLevel[1], key, size,
                            source.bucket(), object.key(), version(object), runId));
                    total += size;
                }
            }
            claim.stored(described.storageKey());
            metrics.file(source.name(), total);
            return total;
        } catch (Exception e) {
            LOG.warnf("%s: %s not stored, will retry on a later poll: %s", source.name(), object.key(), e.getMessage());
            claim.failed(String.valueOf(e.getMessage()));
            return FAILED;
        }
    }

    /**
     * What identifies this version of an object: its ETag, or — from S3-compatible servers that
     * list no ETag — its size and modification time.
     */
    static String version(S3Object object) {
        return object.eTag() != null ? object.eTag() : "size=" + object.size() + ",modified=" + object.lastModified();
    }

    /** The distinct listing prefixes of these periods, each with the key patterns it may hold. */
    static Map<String, List<Pattern>> listings(BucketSource source, List<ZonedDateTime> periods) {
        Map<String, List<Pattern>> byPrefix = new LinkedHashMap<>();
        for (ZonedDateTime period : periods) {
            for (KeyTemplate template : source.keys()) {
                List<KeyTemplate.Listing> expanded = source.enumerations(template).stream().map(combo -> template.expand(period, combo)).toList();
                // one listing per period and template, under the longest prefix all its expansions share
                String prefix = expanded.stream().map(KeyTemplate.Listing::prefix).reduce(BucketPoller::commonPrefix).orElse("");
                List<Pattern> patterns = byPrefix.computeIfAbsent(prefix, p -> new ArrayList<>());
                expanded.forEach(l -> patterns.add(l.pattern()));
            }
        }
        return byPrefix;
    }

    static String commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }

    private void ensureStorageBucket() {
        if (bucketsReady.add(storageBucket)) {
            try {
                clients.storage().headBucket(b -> b.bucket(storageBucket));
            } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
                clients.storage().createBucket(b -> b.bucket(storageBucket));
            } catch (RuntimeException e) {
                bucketsReady.remove(storageBucket);
                throw e;
            }
        }
    }

    private void wentOffline(BucketSource source, SdkClientException e) {
        Offline previous = offline.get(source.name());
        Duration backoff = previous == null ? Duration.ofMinutes(1) : min(previous.backoff().multipliedBy(2), Duration.ofMinutes(30));
        offline.put(source.name(), new Offline(Instant.now().plus(backoff), backoff));
        if (previous == null) {
            LOG.warnf("%s: upstream s3://%s unreachable (%s); backing off, next try in %d min (this is logged once until it is back)",
                    source.name(), source.bucket(), e.getMessage(), backoff.toMinutes());
        }
    }

    private void cameBack(BucketSource source) {
        if (offline.remove(source.name()) != null) {
            LOG.infof("%s: upstream s3://%s reachable again", source.name(), source.bucket());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @PreDestroy
    void stop() {
        if (transfers != null) {
            transfers.shutdownNow();
        }
        listing.shutdownNow();
    }
}
