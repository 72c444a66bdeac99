package dev.sluice.purge;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Purges a bucket source's expired objects (each stage a step of routes/retention-purge.camel.yaml):
 * per batch, marks the catalog rows (so none is listed as available while its object may be gone),
 * the route deletes the objects with DeleteObjects, then this deletes the
 * rows whose object went and unmarks those whose object the store refused (retried next run). Then
 * the source's ledger rows older than the window whose object is no longer catalogued.
 * Only rows written by the source itself (not manual catalog entries) under its own prefix are
 * touched. An object's age counts from its data time when the catalog knows it (reference_time: a
 * model cycle or scan time read from the key, e.g. gfs.{yyyyMMdd}/{HH}), else from when it was
 * ingested: a backfilled cycle from last year is as old as its cycle, not as its copy. An interrupted run leaves marked rows that are still expired: the next run takes them up
 * again, and deleting an already deleted object succeeds.
 */
@ApplicationScoped
public class SourceObjectsPurge {

    private static final Logger LOG = Logger.getLogger(SourceObjectsPurge.class);

    /**
     * expired, purgeable catalog rows of a source, and rows an earlier run marked (whatever their age
     * now: their object may be gone): parameters source, cutoff, prefix
     */
    private static final String EXPIRED = """
            source = ? and origin = 'poll' and (%1$s < ? or purge_started_at is not null) and starts_with(storage_key, ?)"""
            .formatted(Retained.FROM);
    /** ledger rows of a source that a purge deletes: parameters source, cutoff (then the catalog condition) */
    private static final String EXPIRED_LEDGER = """
            l.source = ? and l.updated_at < ? and l.status <> 'loading'
            and not exists (select 1 from catalog c where c.storage_key = l.archive_key%s)""";

    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "sluice.purge.batch-size", defaultValue = "1000")
    int batchSize;

    public PurgeCounts preview(PurgeTarget target, Instant cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            long objects;
            long bytes;
            try (PreparedStatement count = connection.prepareStatement(
                    "select count(*), coalesce(sum(bytes), 0) from catalog where " + EXPIRED)) {
                bind(count, target, cutoff);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    objects = row.getLong(1);
                    bytes = row.getLong(2);
                }
            }
            long ledgerRows;
            // the ledger condition as it will hold once the expired catalog rows are gone
            try (PreparedStatement count = connection.prepareStatement("select count(*) from file_ledger l where "
                    + EXPIRED_LEDGER.formatted(
                    " and not (c.source = ? and c.origin = 'poll' and (coalesce(c.reference_time, c.ingested_at) < ? or c.purge_started_at is not null)"
                    + " and starts_with(c.storage_key, ?))"))) {
                count.setString(1, target.name());
                count.setTimestamp(2, Timestamp.from(cutoff));
                count.setString(3, target.name());
                count.setTimestamp(4, Timestamp.from(cutoff));
                count.setString(5, target.prefixes().get(0));
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    ledgerRows = row.getLong(1);
                }
            }
            return new PurgeCounts(objects, bytes, objects, ledgerRows, 0, 0);
        }
    }

    /**
     * The target's expired objects in batches, oldest first. A batch is marked when it is asked for,
     * which the route's split does while earlier batches are being deleted: the store's round trips
     * and the database's overlap instead of adding up.
     */
    Iterator<PurgeBatch> batches(PurgeRun run) {
        return new PurgeBatches.Cursor(run) {
            Timestamp afterIngested = new Timestamp(0);
            long afterId = 0;

            @Override
            List<PurgeBatch.Item> fetch() throws SQLException {
                List<Expired> marked = mark(run.target(), run.cutoff(), afterIngested, afterId);
                if (!marked.isEmpty()) {
                    Expired last = marked.get(marked.size() - 1);
                    afterIngested = last.ingestedAt();
                    afterId = last.id();
                }
                return marked.stream().map(e -> new PurgeBatch.Item(e.id(), e.key(), e.bytes(), false)).toList();
            }
        };
    }

    /** Deletes the rows of a batch's objects that went; unmarks those the store refused. */
    void deleteRows(PurgeBatch batch) throws SQLException {
        ObjectDeleter.Outcome outcome = batch.deletion();
        List<Long> deleted = new ArrayList<>();
        List<Long> kept = new ArrayList<>();
        long bytes = 0;
        long failed = 0;
        for (PurgeBatch.Item e : batch.items()) {
            if (outcome.refused().containsKey(e.key())) {
                // the store kept the object: the row is available again, and retried next run
                kept.add(e.id());
                failed++;
            } else if (outcome.unknown().containsKey(e.key())) {
                // it may be gone: the row stays marked (hidden) until a later run deletes it for sure
                failed++;
            } else {
                deleted.add(e.id());
                bytes += e.bytes();
            }
        }
        if (outcome.failures() > 0) {
            LOG.warnf("%d objects not deleted (refused: %s; request failed: %s)", outcome.failures(),
                    outcome.refused().entrySet().stream().findFirst().orElse(null), outcome.unknown().entrySet().stream().findFirst().orElse(null));
        }
        try (Connection connection = dataSource.getConnection()) {
            update(connection, "delete from catalog where id = any(?) and purge_started_at is not null", deleted);
            update(connection, "update catalog set purge_started_at = null where id = any(?)", kept);
        }
        batch.done(new PurgeCounts(deleted.size(), bytes, deleted.size(), 0, 0, failed));
    }

    /** After the batches: the source's ledger rows older than the window whose object is no longer catalogued. */
    PurgeCounts deleteLedgerRows(PurgeRun run) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("""
                     delete from file_ledger where id in (select l.id from file_ledger l where %s for update skip locked)"""
                     .formatted(EXPIRED_LEDGER.formatted("")))) {
            delete.setString(1, run.target().name());
            delete.setTimestamp(2, Timestamp.from(run.cutoff()));
            return new PurgeCounts(0, 0, 0, delete.executeUpdate(), 0, 0);
        }
    }

    /** Marks the next batch of expired rows (oldest first, after the cursor) and returns them. */
    private List<Expired> mark(PurgeTarget target, Instant cutoff, Timestamp afterIngested, long afterId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement mark = connection.prepareStatement("""
                     with next as (select id from catalog where %1$s and (%2$s, id) > (?, ?)
                                   order by %2$s, id limit ? for update skip locked)
                     update catalog c set purge_started_at = coalesce(c.purge_started_at, now()) from next where c.id = next.id
                     returning c.id, c.storage_key, c.bytes, coalesce(c.reference_time, c.ingested_at)""".formatted(EXPIRED, Retained.FROM))) {
            bind(mark, target, cutoff);
            mark.setTimestamp(4, afterIngested);
            mark.setLong(5, afterId);
            mark.setInt(6, batchSize);
            List<Expired> batch = new ArrayList<>();
            try (ResultSet rows = mark.executeQuery()) {
                while (rows.next()) {
                    batch.add(new Expired(rows.getLong(1), rows.getString(2), rows.getLong(3), rows.getTimestamp(4)));
                }
            }
            // RETURNING comes in no particular order; the cursor is the batch's last row
            batch.sort(java.util.Comparator.comparing(Expired::ingestedAt).thenComparingLong(Expired::id));
            return batch;
        }
    }

    private static void bind(PreparedStatement statement, PurgeTarget target, Instant cutoff) throws SQLException {
        statement.setString(1, target.name());
        statement.setTimestamp(2, Timestamp.from(cutoff));
        statement.setString(3, target.prefixes().get(0));
    }

    private static void update(Connection connection, String sql, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            statement.executeUpdate();
        }
    }

    /** The time an object's retention counts from (indexed with the source and id: V10). */
    private static final class Retained {
        static final String FROM = "coalesce(reference_time, ingested_at)";
    }

    /** @param ingestedAt the time its retention counts from (the batches' cursor) */
    private record Expired(long id, String key, long bytes, Timestamp ingestedAt) {
    }
}
