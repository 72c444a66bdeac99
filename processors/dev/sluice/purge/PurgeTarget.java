package dev.sluice.purge;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One thing retention applies to.
 *
 * @param name      the source or dataset name (what /purge/preview?source= takes, ingest_run.source)
 * @param kind      what is deleted
 * @param retention how long things are kept
 * @param prefixes  OBJECTS / RAW_ARCHIVES: the only key prefixes in our bucket it may delete under
 * @param table     ROWS: the dataset's table
 * @param column    ROWS: the timestamp column rows expire by
 */
public record PurgeTarget(String name, Kind kind, Duration retention, List<String> prefixes, String table, String column) {

    public enum Kind {
        /** a bucket source's stored objects, their catalog rows and ledger state */
        OBJECTS("objects"),
        /** a dataset's archived originals (landing files, HTTP downloads) and their ledger rows */
        RAW_ARCHIVES("raw archives"),
        /** a dataset's rows */
        ROWS("rows");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    public Instant cutoff(Instant now) {
        return now.minus(retention);
    }
}
