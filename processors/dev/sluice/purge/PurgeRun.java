package dev.sluice.purge;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One target's purge while it runs (routes/retention-purge.camel.yaml, route purge-target): its
 * cutoff, fixed when it begins, its ingest_run, and what its batches deleted so far. Batches run on
 * several threads at once, so the counts are added under a lock.
 */
public final class PurgeRun {

    private final PurgeTarget target;
    private final Instant begun;
    private final Instant cutoff;
    private final long runId;
    private final AtomicInteger batches = new AtomicInteger();
    private PurgeCounts counts = PurgeCounts.NONE;
    private String error;

    PurgeRun(PurgeTarget target, Instant begun, long runId) {
        this(target, begun, target.cutoff(begun), runId);
    }

    PurgeRun(PurgeTarget target, Instant begun, Instant cutoff, long runId) {
        this.target = target;
        this.begun = begun;
        this.cutoff = cutoff;
        this.runId = runId;
    }

    public PurgeTarget target() {
        return target;
    }

    public Instant begun() {
        return begun;
    }

    public Instant cutoff() {
        return cutoff;
    }

    public long runId() {
        return runId;
    }

    /** The number of the next batch of this run (1, 2, …). */
    int nextBatch() {
        return batches.incrementAndGet();
    }

    synchronized void add(PurgeCounts batch) {
        counts = counts.plus(batch);
    }

    public synchronized PurgeCounts counts() {
        return counts;
    }

    synchronized void failed(String message) {
        error = message;
    }

    public synchronized String error() {
        return error;
    }

    /** failed (an error stopped it), partial (some objects could not be deleted) or purged */
    public synchronized String outcome() {
        return error != null ? "failed" : counts.failed() > 0 ? "partial" : "purged";
    }
}
