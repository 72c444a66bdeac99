package dev.sluice.bucket;

import software.amazon.awssdk.services.s3.S3Client;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One poll of a bucket source while it runs: the periods it covers, its ingest_run row and its counts
 * so far. The parallel transfers of its split add to the counts (through the bucketPollSummary
 * aggregation), hence the atomics.
 */
public final class BucketPoll {

    /** The exchange property that carries the poll through the sluice-bucket-source Kamelet's route and into each split item. */
    public static final String PROPERTY = "SluiceBucketPoll";

    private final BucketSource source;
    private final List<ZonedDateTime> periods;
    private final String subject;
    private final Instant started = Instant.now();
    private volatile S3Client upstream;
    private volatile long runId;
    private volatile String error;
    /** keys listed upstream */
    final AtomicInteger listed = new AtomicInteger();
    /** keys matching the source's templates and filters */
    final AtomicInteger matched = new AtomicInteger();
    /** of those, versions already stored (no GET for them), or claimed by another poller */
    final AtomicInteger known = new AtomicInteger();
    /** objects copied now */
    final AtomicInteger stored = new AtomicInteger();
    /** objects that could not be copied (retried on a later poll) */
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    /** bytes written to our bucket */
    final AtomicLong bytes = new AtomicLong();

    public BucketPoll(BucketSource source, List<ZonedDateTime> periods, String subject) {
        this.source = source;
        this.periods = List.copyOf(periods);
        this.subject = subject;
    }

    public BucketSource source() {
        return source;
    }

    public List<ZonedDateTime> periods() {
        return periods;
    }

    /** What the ingest_run row says the poll was for: "scheduled 2025-06-19T12:00Z … 2025-06-19T18:00Z". */
    String describe() {
        return subject + " " + periods.get(0) + (periods.size() > 1 ? " … " + periods.get(periods.size() - 1) : "");
    }

    Instant started() {
        return started;
    }

    S3Client upstream() {
        return upstream;
    }

    long runId() {
        return runId;
    }

    void begun(long runId, S3Client upstream) {
        this.runId = runId;
        this.upstream = upstream;
    }

    String error() {
        return error;
    }

    void failedAltogether(String error) {
        this.error = error;
    }

    /** One item's outcome, told by the split's aggregation. */
    void counted(String outcome, long itemBytes) {
        switch (outcome == null ? "" : outcome) {
            case ObjectClaims.STORED -> {
                stored.incrementAndGet();
                bytes.addAndGet(itemBytes);
            }
            case ObjectClaims.CLAIMED_ELSEWHERE -> known.incrementAndGet();
            // the source's route let it through without storing it (a filter a user added): not a failure
            case ObjectClaims.SKIPPED -> skipped.incrementAndGet();
            default -> failed.incrementAndGet();
        }
    }
}
