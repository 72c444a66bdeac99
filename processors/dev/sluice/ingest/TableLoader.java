package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetTables;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Loads a file's records into a dataset's table inside the caller's transaction, upserting on the
 * natural key.
 *
 * <p>Why two paths: COPY straight into the keyed table is the fastest load PostgreSQL has, and most
 * files bring new keys; a staging table plus merge costs about twice as much. So the loader first
 * COPYs into the table under a savepoint. If a key already exists (unique violation) it rolls back
 * to the savepoint and loads the file again through a temporary staging table and one
 * {@code INSERT … ON CONFLICT DO UPDATE}, which only rewrites rows whose values changed. A
 * correction file fails on its first row, so the wasted work is small; a file whose first conflict
 * comes late pays for the part it copied before. The COPY is cut into chunks (the first one small) so
 * that a conflict is noticed at the end of the chunk it is in, not only at the end of the file.
 * The staging table is UNLOGGED, created and dropped inside the file's transaction: a crash leaves
 * nothing behind.
 */
public final class TableLoader {

    private static final int FLUSH_BYTES = 1 << 18;
    private static final long FIRST_CHUNK_RECORDS = 10_000;
    private static final long CHUNK_RECORDS = 1_000_000;
    private static final java.util.Random NAMES = new java.security.SecureRandom();

    /** Opens the file's records; called once per pass (the merge path reads the file twice). */
    @FunctionalInterface
    public interface RecordSource {
        RecordReader open() throws IOException;
    }

    /**
     * @param rowsRead     records read from the file, good and bad
     * @param rowsLoaded   good records written
     * @param rowsChanged  rows inserted or whose values changed
     * @param path         "copy" (new keys only) or "merge" (some keys existed)
     */
    public record Result(long rowsRead, long rowsLoaded, long rowsChanged, String path) {
    }

    private record Counts(long read, long loaded) {
    }

    /**
     * @param runId the ingest run loading the file: written into the lineage column of every row it
     *              inserts or changes (rows whose values did not change keep the run that wrote them)
     */
    public Result load(Connection connection, DatasetDefinition dataset, long runId, RecordSource source, RejectedRows rejected)
            throws SQLException, IOException {
        RowConverter converter = new RowConverter(dataset, integerColumns(connection, dataset.table()));
        String columns = String.join(", ", dataset.columnNames());
        Savepoint beforeCopy = connection.setSavepoint();
        try {
            Counts counts = copy(connection, "COPY " + dataset.table() + " (" + columns + ", " + DatasetTables.LINEAGE_COLUMN
                                             + ") FROM STDIN (FORMAT binary)", source, converter, runId, rejected, false, true);
            connection.releaseSavepoint(beforeCopy);
            return new Result(counts.read(), counts.loaded(), counts.loaded(), "copy");
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(beforeCopy);
            rejected.clear();
        }
        String stage = "sluice_stage_" + Long.toHexString(NAMES.nextLong() & Long.MAX_VALUE);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE UNLOGGED TABLE " + stage + " (LIKE " + dataset.table()
                    + " INCLUDING DEFAULTS, sluice_record bigint)");
        }
        Counts counts = copy(connection, "COPY " + stage + " (" + columns + ", sluice_record) FROM STDIN (FORMAT binary)",
                source, converter, null, rejected, true, false);
        long changed = merge(connection, dataset, stage, runId);
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE " + stage);
        }
        return new Result(counts.read(), counts.loaded(), changed, "merge");
    }

    /**
     * The table's integer (int4) columns: DatasetTables accepts one for a declared int, and binary COPY
     * sends exactly the bytes of the column's type (8 for bigint, 4 for integer).
     */
    private static Set<String> integerColumns(Connection connection, String table) throws SQLException {
        Set<String> columns = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement("""
                select attname from pg_attribute
                where attrelid = to_regclass(?) and attnum > 0 and not attisdropped and atttypid = 'int4'::regtype""")) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        return columns;
    }

    private Counts copy(Connection connection, String sql, RecordSource source, RowConverter converter, Long runId,
                        RejectedRows rejected, boolean withRecordNumber, boolean chunked) throws SQLException, IOException {
        org.postgresql.copy.CopyManager copies = connection.unwrap(PGConnection.class).getCopyAPI();
        CopyIn copy = copies.copyIn(sql);
        long chunkEnd = chunked ? FIRST_CHUNK_RECORDS : Long.MAX_VALUE;
        long read = 0;
        long loaded = 0;
        try (RecordReader reader = source.open()) {
            BinaryCopyBuffer buffer = new BinaryCopyBuffer(FLUSH_BYTES + (FLUSH_BYTES >> 2));
            buffer.header();
            RawRecord record;
            while ((record = reader.next()) != null) {
                read++;
                String reason = converter.encode(record, buffer, runId, withRecordNumber);
                if (reason == null) {
                    loaded++;
                } else {
                    rejected.add(record.number(), reason, record.raw());
                }
                if (read == chunkEnd) {
                    // ends this COPY: a unique violation in the chunk surfaces here
                    buffer.trailer();
                    copy.writeToCopy(buffer.array(), 0, buffer.size());
                    buffer.clear();
                    copy.endCopy();
                    copy = copies.copyIn(sql);
                    buffer.header();
                    chunkEnd = read + CHUNK_RECORDS;
                } else if (buffer.size() >= FLUSH_BYTES) {
                    copy.writeToCopy(buffer.array(), 0, buffer.size());
                    buffer.clear();
                }
            }
            buffer.trailer();
            copy.writeToCopy(buffer.array(), 0, buffer.size());
            copy.endCopy();
            return new Counts(read, loaded);
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * Upserts the staged rows. Only when the file itself repeats a key (PostgreSQL refuses to update
     * one row twice in a statement) is the costlier variant run that keeps each key's last record.
     */
    private long merge(Connection connection, DatasetDefinition dataset, String stage, long runId) throws SQLException {
        Savepoint beforeMerge = connection.setSavepoint();
        try (Statement statement = connection.createStatement()) {
            long changed = statement.executeLargeUpdate(mergeSql(dataset, stage, runId, false));
            connection.releaseSavepoint(beforeMerge);
            return changed;
        } catch (SQLException e) {
            if (!"21000".equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(beforeMerge);
        }
        try (Statement statement = connection.createStatement()) {
            return statement.executeLargeUpdate(mergeSql(dataset, stage, runId, true));
        }
    }

    /**
     * The upsert from the staging table. A row is written (and takes this run as its lineage) when it is
     * new or one of its values changed; an unchanged row keeps the run that last wrote it.
     */
    static String mergeSql(DatasetDefinition dataset, String stage, long runId, boolean lastRecordPerKey) {
        List<String> columns = dataset.columnNames();
        List<String> key = dataset.naturalKey();
        List<String> values = columns.stream().filter(c -> !key.contains(c)).toList();
        String columnList = String.join(", ", columns);
        String keyList = String.join(", ", key);
        String select = lastRecordPerKey
                ? "SELECT DISTINCT ON (" + keyList + ") " + columnList + ", " + runId + " FROM " + stage
                  + " ORDER BY " + keyList + ", sluice_record DESC"
                : "SELECT " + columnList + ", " + runId + " FROM " + stage;
        String onConflict = values.isEmpty()
                ? "DO NOTHING"
                : "DO UPDATE SET " + values.stream().map(c -> c + " = excluded." + c).collect(Collectors.joining(", "))
                  + ", " + DatasetTables.LINEAGE_COLUMN + " = excluded." + DatasetTables.LINEAGE_COLUMN
                  + " WHERE (" + values.stream().map(c -> "target." + c).collect(Collectors.joining(", "))
                  + ") IS DISTINCT FROM (" + values.stream().map(c -> "excluded." + c).collect(Collectors.joining(", ")) + ")";
        return "INSERT INTO " + dataset.table() + " AS target (" + columnList + ", " + DatasetTables.LINEAGE_COLUMN + ") "
               + select + " ON CONFLICT (" + keyList + ") " + onConflict;
    }
}
