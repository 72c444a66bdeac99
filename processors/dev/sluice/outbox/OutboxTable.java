package dev.sluice.outbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the outbox events are and what their columns are called: Sluice's own {@code outbox_event}
 * table by default, or an application's table (a Django app's {@code <app>_outbox}) mapped column by
 * column onto the bronze envelope. Also the batch table the claims are kept in, which lives in the
 * same database as the outbox so that a claim and the events it takes are one database's truth.
 *
 * @param table       the outbox table (optionally schema-qualified)
 * @param batchTable  the claims: one row per bronze batch, holding its event id range
 * @param columns     bronze column → outbox column; an absent column is written as null. Keys:
 *                    event_id, aggregate_type, event_type, client_id, occurred_at, payload, published_at
 */
public record OutboxTable(String table, String batchTable, Map<String, String> columns) {

    /** The envelope columns read from the outbox, in Parquet order (batch_id is Sluice's own). */
    static final List<String> ENVELOPE = List.of("event_id", "aggregate_type", "event_type", "client_id", "occurred_at", "payload");
    /** Optional: a timestamp column the application reads as "published" (set when the batch is). */
    static final String PUBLISHED = "published_at";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");

    public OutboxTable {
        for (String name : List.of(table, batchTable)) {
            identifier(name);
        }
        for (Map.Entry<String, String> column : columns.entrySet()) {
            if (!ENVELOPE.contains(column.getKey()) && !PUBLISHED.equals(column.getKey())) {
                throw new IllegalArgumentException("sluice.outbox.columns: unknown column " + column.getKey() + " (known: "
                        + String.join(", ", ENVELOPE) + ", " + PUBLISHED + ")");
            }
            identifier(column.getValue());
        }
        for (String required : List.of("event_id", "occurred_at", "payload")) {
            if (!columns.containsKey(required)) {
                throw new IllegalArgumentException("sluice.outbox.columns: " + required + " must name a column of " + table);
            }
        }
        columns = Map.copyOf(columns);
    }

    /** Sluice's own outbox (Flyway V7/V11): the applications insert through the {@code outbox} view. */
    public static OutboxTable sluiceOwn() {
        return configured(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * From configuration: {@code sluice.outbox.table}, {@code sluice.outbox.batch-table} and
     * {@code sluice.outbox.columns} as {@code bronze=outbox} pairs separated by commas, which override
     * the defaults one by one ({@code client_id=} leaves it out, {@code published_at=published_at}
     * marks each event too).
     */
    public static OutboxTable configured(Optional<String> table, Optional<String> batchTable, Optional<String> columns) {
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String column : ENVELOPE) {
            mapping.put(column, column);
        }
        for (String pair : columns.filter(c -> !c.isBlank()).map(c -> c.split(",")).orElse(new String[0])) {
            String[] parts = pair.split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("sluice.outbox.columns: expected bronze=outbox, got '" + pair.strip() + "'");
            }
            String to = parts[1].strip();
            if (to.isEmpty()) {
                mapping.remove(parts[0].strip());
            } else {
                mapping.put(parts[0].strip(), to);
            }
        }
        return new OutboxTable(table.filter(t -> !t.isBlank()).orElse("outbox_event").strip(),
                batchTable.filter(t -> !t.isBlank()).orElse("bronze_batch").strip(), mapping);
    }

    /** The batch table, created when the outbox's database has none yet (an application's database). */
    String createBatchTable() {
        return """
                create table if not exists %s (
                    id bigserial primary key, events integer not null, status text not null, object_keys text[], bytes bigint,
                    claimed_at timestamptz not null default now(), published_at timestamptz,
                    after_event_id bigint, last_event_id bigint)""".formatted(q(batchTable));
    }

    /**
     * The next batch's range: how many events after ? (up to ?, at most ? of them, oldest first) and
     * the id of the last one. Reads only the ids (the primary key's index).
     */
    String nextRange() {
        String id = q(columns.get("event_id"));
        return "select count(*), max(id) from (select " + id + " as id from " + q(table) + " where " + id + " > ? and " + id + " <= ?"
                + unpublished() + " order by " + id + " limit ?) batch";
    }

    /**
     * The bronze rows of the events in (after, last], in event id order (so a redone batch makes the
     * same files), as CSV on the connection's COPY stream: the envelope columns, then the batch id.
     */
    String copyRange(long after, long last, long batch) {
        StringBuilder select = new StringBuilder("copy (select ");
        for (String column : ENVELOPE) {
            String source = columns.get(column);
            select.append(source == null ? "null" : column.equals("payload") ? q(source) + "::text" : q(source)).append(", ");
        }
        String id = q(columns.get("event_id"));
        select.append(batch).append("::bigint from ").append(q(table)).append(" where ").append(id).append(" > ").append(after)
                .append(" and ").append(id).append(" <= ").append(last).append(unpublished());
        return select.append(" order by ").append(id).append(") to stdout (format csv)").toString();
    }

    /** Events the application (or a publisher before Sluice) already published are not taken again. */
    private String unpublished() {
        return published().map(column -> " and " + q(column) + " is null").orElse("");
    }

    /** The highest event id committed so far (read under {@link #lockInserts()}). */
    String maxEventId() {
        return "select coalesce(max(" + q(columns.get("event_id")) + "), 0) from " + q(table);
    }

    /**
     * Waits for the transactions that are inserting events to end, so that no id below the highest
     * committed one can still appear: ids come from a sequence in insert order, so an event claimed
     * by range can never be followed by a late-committing one inside that range.
     */
    String lockInserts() {
        return "lock table " + q(table) + " in share mode";
    }

    /** Marks the application's own "published" column of a batch's events, when there is one. */
    Optional<String> markEvents() {
        return published().map(column -> "update %s set %s = now() where %s > ? and %s <= ? and %s is null"
                .formatted(q(table), q(column), q(columns.get("event_id")), q(columns.get("event_id")), q(column)));
    }

    Optional<String> published() {
        return Optional.ofNullable(columns.get(PUBLISHED));
    }

    String batches() {
        return q(batchTable);
    }

    private static void identifier(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain SQL name (letters, digits, _ and an optional schema.): " + name);
        }
    }

    /** A (schema-qualified) name, quoted. */
    private static String q(String name) {
        StringBuilder quoted = new StringBuilder();
        for (String part : name.split("\\.")) {
            quoted.append(quoted.isEmpty() ? "" : ".").append('"').append(part).append('"');
        }
        return quoted.toString();
    }
}
