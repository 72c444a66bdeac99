package dev.sluice.purge;

/**
 * What a purge deleted (or, previewed, would delete).
 *
 * @param objects     objects deleted from the bucket
 * @param bytes       their size
 * @param catalogRows catalog rows deleted
 * @param ledgerRows  ledger rows deleted
 * @param rows        dataset rows deleted
 * @param failed      objects whose deletion failed (kept, retried by the next run)
 */
public record PurgeCounts(long objects, long bytes, long catalogRows, long ledgerRows, long rows, long failed) {

    public static final PurgeCounts NONE = new PurgeCounts(0, 0, 0, 0, 0, 0);

    public PurgeCounts plus(PurgeCounts other) {
        return new PurgeCounts(objects + other.objects, bytes + other.bytes, catalogRows + other.catalogRows,
                ledgerRows + other.ledgerRows, rows + other.rows, failed + other.failed);
    }
}
