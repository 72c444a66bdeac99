package dev.sluice.silver;

import dev.sluice.ingest.DeadLetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bronze file on its way into one silver table, through the stages of
 * routes/bronze-silver.camel.yaml: read, converted (typed rows per partition, duplicates dropped,
 * dead letters), written (one silver file per partition), recorded.
 */
public final class SilverFile {

    /** A silver file written from it: its key and rows. */
    public record Written(SilverFile from, String key, long rows) {

        /** The {@code silver.file} event's data. */
        public Map<String, Object> getEvent() {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("source", "silver:" + from.run().table().name());
            event.put("subject", key);
            event.put("dataset", from.run().table().name());
            event.put("runId", from.run().runId());
            event.put("rows", rows);
            event.put("outcome", "written");
            return event;
        }
    }

    private final SilverRun run;
    private final String bronzeKey;
    /** event_id, client_id, occurred_at, payload */
    List<Object[]> events = List.of();
    final Map<String, List<Object[]>> partitions = new TreeMap<>();
    final List<DeadLetter> rejected = new ArrayList<>();
    final List<Long> taken = new ArrayList<>();
    long duplicates;
    final List<Written> written = new ArrayList<>();

    SilverFile(SilverRun run, String bronzeKey) {
        this.run = run;
        this.bronzeKey = bronzeKey;
    }

    public SilverRun run() {
        return run;
    }

    public String bronzeKey() {
        return bronzeKey;
    }

    /** The silver files written from it (split by the route, one event each). */
    public List<Written> getWritten() {
        return List.copyOf(written);
    }
}
