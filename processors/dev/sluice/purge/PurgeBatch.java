package dev.sluice.purge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch of a target's purge: at most sluice.purge.batch-size expired objects (with their rows),
 * or, for a dataset's rows, the one DELETE. It goes through the route's stages in turn: marked (or
 * selected), its objects deleted, then its rows, then told as a {@code purge.batch} event.
 */
public final class PurgeBatch {

    /**
     * An expired object and its row.
     *
     * @param keepObject the object stays (a newer version reuses its key): only the row goes
     */
    public record Item(long id, String key, long bytes, boolean keepObject) {
    }

    private final PurgeRun run;
    private final int number;
    private final List<Item> items;
    private ObjectDeleter.Outcome deletion = ObjectDeleter.Outcome.NONE;
    private PurgeCounts counts = PurgeCounts.NONE;

    PurgeBatch(PurgeRun run, List<Item> items) {
        this.run = run;
        this.number = run.nextBatch();
        this.items = List.copyOf(items);
    }

    public PurgeRun run() {
        return run;
    }

    public List<Item> items() {
        return items;
    }

    /** The keys DeleteObjects is asked to delete (each once). */
    List<String> keysToDelete() {
        return items.stream().filter(i -> !i.keepObject()).map(Item::key).distinct().toList();
    }

    ObjectDeleter.Outcome deletion() {
        return deletion;
    }

    void deleted(ObjectDeleter.Outcome outcome) {
        this.deletion = outcome;
    }

    public PurgeCounts counts() {
        return counts;
    }

    void done(PurgeCounts counts) {
        this.counts = counts;
        run.add(counts);
    }

    /** The {@code purge.batch} event's data: which target and batch, what went, how it ended. */
    public Map<String, Object> getEvent() {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("source", run.target().name());
        event.put("subject", "purge run " + run.runId() + " batch " + number);
        event.put("runId", run.runId());
        event.put("kind", run.target().kind().label);
        event.put("objects", counts.objects());
        event.put("bytes", counts.bytes());
        event.put("rows", counts.catalogRows() + counts.ledgerRows() + counts.rows());
        event.put("failed", counts.failed());
        event.put("outcome", counts.failed() > 0 ? "partial" : "purged");
        return event;
    }
}
