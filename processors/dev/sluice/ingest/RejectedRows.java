package dev.sluice.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * The bad records of one file, held until they are written with the file's rows in one transaction.
 * A file with more bad records than the limit is not a file with some bad rows but a wrong file:
 * it is rejected whole rather than filling the dead-letter table.
 */
public final class RejectedRows {

    private static final int MAX_RAW_CHARS = 4096;

    private final int limit;
    private final List<DeadLetter> rows = new ArrayList<>();

    public RejectedRows(int limit) {
        this.limit = limit;
    }

    public void add(long recordNumber, String reason, String raw) {
        if (rows.size() >= limit) {
            DeadLetter first = rows.get(0);
            throw new RejectedFileException("more than " + limit + " bad records (first: record " + first.recordNumber()
                    + ": " + first.reason() + ")");
        }
        String kept = raw == null ? null : raw.length() > MAX_RAW_CHARS ? raw.substring(0, MAX_RAW_CHARS) : raw;
        // PostgreSQL text cannot hold NUL; the reason says what was wrong, the raw record keeps the rest
        rows.add(new DeadLetter(recordNumber, reason, kept == null ? null : kept.replace('\0', '\uFFFD')));
    }

    public List<DeadLetter> rows() {
        return rows;
    }

    public int count() {
        return rows.size();
    }

    public void clear() {
        rows.clear();
    }
}
