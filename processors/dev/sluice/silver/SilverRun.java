package dev.sluice.silver;

import java.time.Instant;

/** One silver table's run while it goes (routes/bronze-silver.camel.yaml): its ingest_run and summary so far. */
public final class SilverRun {

    private final SilverTable table;
    private final long runId;
    private final Instant started;
    private final SilverSummary summary;
    private String error;

    SilverRun(SilverTable table, long runId, Instant started) {
        this.table = table;
        this.runId = runId;
        this.started = started;
        this.summary = new SilverSummary(table);
    }

    public SilverTable table() {
        return table;
    }

    public long runId() {
        return runId;
    }

    Instant started() {
        return started;
    }

    SilverSummary summary() {
        return summary;
    }

    void failed(String message) {
        error = message;
    }

    public String error() {
        return error;
    }
}
