package dev.sluice.parquet;

import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes rows to a Parquet file (ZSTD-compressed, one row group per 100k rows) through an
 * in-process DuckDB: rows go in with DuckDB's appender, out with COPY … (FORMAT PARQUET). Values:
 * Long/Integer, String, Boolean, Double, BigDecimal, Instant (TIMESTAMPTZ), LocalDate, or null.
 * Rows are written in the order given, so the same rows always make the same file content.
 */
public final class ParquetFileWriter {

    private ParquetFileWriter() {
    }

    public static void write(Path file, List<ParquetColumn> columns, List<Object[]> rows) throws SQLException {
        try (DuckDBConnection duck = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement()) {
            // a small, predictable footprint inside Sluice's process
            statement.execute("set memory_limit = '256MB'");
            statement.execute("set threads = 1");
            statement.execute("set preserve_insertion_order = true");
            statement.execute("create table t (" + columns.stream().map(c -> c.name() + " " + c.sqlType())
                    .collect(Collectors.joining(", ")) + ")");
            try (DuckDBAppender appender = duck.createAppender("main", "t")) {
                for (Object[] row : rows) {
                    appender.beginRow();
                    for (int i = 0; i < columns.size(); i++) {
                        append(appender, columns.get(i), row[i]);
                    }
                    appender.endRow();
                }
            }
            Files.deleteIfExists(file);
            statement.execute("copy t to '" + file.toAbsolutePath().toString().replace("'", "''")
                    + "' (format parquet, compression zstd, row_group_size 100000)");
        } catch (java.io.IOException e) {
            throw new SQLException("cannot replace " + file, e);
        }
    }

    private static void append(DuckDBAppender appender, ParquetColumn column, Object value) throws SQLException {
        if (value == null) {
            appender.appendNull();
        } else if (value instanceof Long l) {
            appender.append(l.longValue());
        } else if (value instanceof Integer n) {
            appender.append(n.intValue());
        } else if (value instanceof String s) {
            appender.append(s);
        } else if (value instanceof Boolean b) {
            appender.append(b.booleanValue());
        } else if (value instanceof Double d) {
            appender.append(d.doubleValue());
        } else if (value instanceof BigDecimal d) {
            appender.append(d.setScale(column.scale(), RoundingMode.UNNECESSARY));
        } else if (value instanceof Instant t) {
            appender.appendEpochMicros(t.getEpochSecond() * 1_000_000 + t.getNano() / 1000);
        } else if (value instanceof LocalDate d) {
            appender.append(d);
        } else {
            throw new IllegalArgumentException(column.name() + ": cannot write a " + value.getClass().getSimpleName());
        }
    }
}
