package dev.sluice.ledger;

import dev.sluice.ingest.DeadLetter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.List;

/** Writes ingest_run rows and the dead letters that belong to them. */
@ApplicationScoped
public class IngestRuns {

    @Inject
    AgroalDataSource dataSource;

    /** Records a run in its own transaction (for outcomes that load nothing). */
    public long record(IngestRun run) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return record(connection, run);
        }
    }

    public long record(Connection connection, IngestRun run) throws SQLException {
        return insert(connection, null, run);
    }

    /**
     * A run id taken before the run's row exists: a load writes it into every row it writes (the lineage
     * column) and records the run with it afterwards, in the same transaction.
     */
    public long reserveId(Connection connection) throws SQLException {
        try (PreparedStatement next = connection.prepareStatement("select nextval(pg_get_serial_sequence('ingest_run', 'id'))");
             ResultSet row = next.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Records a run under an id from {@link #reserveId}. */
    public long record(Connection connection, long id, IngestRun run) throws SQLException {
        return insert(connection, id, run);
    }

    private long insert(Connection connection, Long id, IngestRun run) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into ingest_run (source, kind, subject, dataset, ledger_id, rows_read, rows_loaded, rows_rejected,
                                        bytes, started_at, finished_at, duration_ms, outcome, message, id)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                        coalesce(?, nextval(pg_get_serial_sequence('ingest_run', 'id')))) returning id""")) {
            insert.setString(1, run.source());
            insert.setString(2, run.kind());
            insert.setString(3, run.subject());
            insert.setString(4, run.dataset());
            if (run.ledgerId() == null) {
                insert.setNull(5, Types.BIGINT);
            } else {
                insert.setLong(5, run.ledgerId());
            }
            insert.setLong(6, run.rowsRead());
            insert.setLong(7, run.rowsLoaded());
            insert.setLong(8, run.rowsRejected());
            insert.setLong(9, run.bytes());
            insert.setTimestamp(10, Timestamp.from(run.startedAt()));
            insert.setTimestamp(11, Timestamp.from(run.finishedAt()));
            insert.setLong(12, run.finishedAt().toEpochMilli() - run.startedAt().toEpochMilli());
            insert.setString(13, run.outcome());
            insert.setString(14, run.message());
            if (id == null) {
                insert.setNull(15, Types.BIGINT);
            } else {
                insert.setLong(15, id);
            }
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Opens a run that finishes later (polls, backfill periods); returns its id. */
    public long begin(String source, String kind, String subject) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into ingest_run (source, kind, subject, started_at, outcome) values (?, ?, ?, now(), 'running')
                     returning id""")) {
            insert.setString(1, source);
            insert.setString(2, kind);
            insert.setString(3, subject);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    public void finish(long runId, long rowsRead, long rowsLoaded, long rowsRejected, long bytes, String outcome, String message)
            throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update ingest_run set rows_read = ?, rows_loaded = ?, rows_rejected = ?, bytes = ?, outcome = ?, message = ?,
                            finished_at = now(), duration_ms = (extract(epoch from now() - started_at) * 1000)::bigint
                     where id = ?""")) {
            update.setLong(1, rowsRead);
            update.setLong(2, rowsLoaded);
            update.setLong(3, rowsRejected);
            update.setLong(4, bytes);
            update.setString(5, outcome);
            update.setString(6, message);
            update.setLong(7, runId);
            update.executeUpdate();
        }
    }

    /** Attaches a JSON summary (what the run did beyond rows and bytes) to a run. */
    public void summarize(long runId, String json) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("update ingest_run set summary = ?::jsonb where id = ?")) {
            update.setString(1, json);
            update.setLong(2, runId);
            update.executeUpdate();
        }
    }

    public void recordDeadLetters(Connection connection, long runId, String source, String dataset, String file,
                                  List<DeadLetter> deadLetters) throws SQLException {
        if (deadLetters.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into dead_letter (source, dataset, file, record_number, reason, raw_record, ingest_run_id)
                values (?, ?, ?, ?, ?, ?, ?)""")) {
            int batched = 0;
            for (DeadLetter letter : deadLetters) {
                insert.setString(1, source);
                insert.setString(2, dataset);
                insert.setString(3, file);
                insert.setLong(4, letter.recordNumber());
                insert.setString(5, letter.reason());
                insert.setString(6, letter.raw());
                insert.setLong(7, runId);
                insert.addBatch();
                if (++batched % 1000 == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }
}
