package dev.sluice.purge;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
 * Purges a dataset's archived originals older than its raw retention (each stage a step of
 * routes/retention-purge.camel.yaml): the objects (only under the dataset's archive prefixes), then
 * their ledger rows. Objects go first: an interruption leaves
 * ledger rows whose object is already gone, which the next run deletes again harmlessly.
 */
@ApplicationScoped
public class RawArchivePurge {

    /** an archive key a ledger row within the window still points at (a later version under the same key) */
    private static final String CURRENT = """
            exists (select 1 from file_ledger n where n.archive_key = file_ledger.archive_key and n.updated_at >= ?)""";
    /** parameters: dataset, cutoff, prefixes */
    private static final String EXPIRED = """
            dataset = ? and archive_key is not null and updated_at < ? and status in ('archived', 'loaded')
            and archive_key ^@ any(?)""";

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ObjectDeleter deleter;
    @ConfigProperty(name = "sluice.purge.batch-size", defaultValue = "1000")
    int batchSize;

    public PurgeCounts preview(PurgeTarget target, Instant cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "select count(*) filter (where not " + CURRENT + "), coalesce(sum(size_bytes) filter (where not " + CURRENT
                     + "), 0), count(*) from file_ledger where " + EXPIRED)) {
            count.setTimestamp(1, Timestamp.from(cutoff));
            count.setTimestamp(2, Timestamp.from(cutoff));
            bindFrom(3, connection, count, target, cutoff);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return new PurgeCounts(row.getLong(1), row.getLong(2), 0, row.getLong(3), 0, 0);
            }
        }
    }

    /**
     * One target's archives purged here and now, batch after batch, with the stages the purge route
     * runs (for a caller without the route, and no ingest_run).
     */
    public PurgeCounts purge(PurgeTarget target, Instant cutoff) throws SQLException {
        PurgeRun run = new PurgeRun(target, Instant.now(), cutoff, 0);
        for (Iterator<PurgeBatch> batches = batches(run); batches.hasNext(); ) {
            deleteRows(deleter.deleteObjects(batches.next()));
        }
        return run.counts();
    }

    /** The target's expired archives in batches (by ledger id); none is marked: no API lists archives. */
    Iterator<PurgeBatch> batches(PurgeRun run) {
        PurgeTarget target = run.target();
        Instant cutoff = run.cutoff();
        return new PurgeBatches.Cursor(run) {
            long afterId = 0;

            @Override
            List<PurgeBatch.Item> fetch() throws SQLException {
                List<PurgeBatch.Item> batch = new ArrayList<>();
                try (Connection connection = dataSource.getConnection();
                     PreparedStatement select = connection.prepareStatement(
                             "select id, archive_key, size_bytes, " + CURRENT + " from file_ledger where " + EXPIRED
                             + " and id > ? order by id limit ?")) {
                    select.setTimestamp(1, Timestamp.from(cutoff));
                    bindFrom(2, connection, select, target, cutoff);
                    select.setLong(5, afterId);
                    select.setInt(6, batchSize);
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            // current: an old version's row; its key holds a version still kept
                            batch.add(new PurgeBatch.Item(rows.getLong(1), rows.getString(2), rows.getLong(3), rows.getBoolean(4)));
                        }
                    }
                }
                if (!batch.isEmpty()) {
                    afterId = batch.get(batch.size() - 1).id();
                }
                return batch;
            }
        };
    }

    /** Deletes the ledger rows of a batch's archives that went (and of old versions whose key is kept). */
    void deleteRows(PurgeBatch batch) throws SQLException {
        ObjectDeleter.Outcome outcome = batch.deletion();
        List<Long> deleted = new ArrayList<>();
        long bytes = 0;
        long objects = 0;
        for (PurgeBatch.Item a : batch.items()) {
            if (a.keepObject()) {
                deleted.add(a.id());
            } else if (!outcome.failed(a.key())) {
                deleted.add(a.id());
                bytes += a.bytes();
                objects++;
            }
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("delete from file_ledger where id = any(?)")) {
            delete.setArray(1, connection.createArrayOf("bigint", deleted.toArray()));
            delete.executeUpdate();
        }
        batch.done(new PurgeCounts(objects, bytes, 0, deleted.size(), 0, batch.items().size() - deleted.size()));
    }

    /** Binds the EXPIRED parameters from parameter index {@code first} on. */
    private static void bindFrom(int first, Connection connection, PreparedStatement statement, PurgeTarget target, Instant cutoff)
            throws SQLException {
        statement.setString(first, target.name());
        statement.setTimestamp(first + 1, Timestamp.from(cutoff));
        statement.setArray(first + 2, connection.createArrayOf("text", target.prefixes().toArray()));
    }

}
