package dev.sluice.parquet;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.duckdb.DuckDBConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a CSV file as PostgreSQL's {@code COPY … TO STDOUT (FORMAT csv)} writes it into Parquet files
 * (ZSTD, one row group per 100k rows), one per group of rows, through an in-process DuckDB that is
 * opened once and kept: opening a DuckDB costs more than writing a 10,000-row file, and reading the
 * CSV in DuckDB's own reader costs far less than handing it row by row and value by value through JDBC.
 *
 * Each call works in its own connection (temporary tables are the connection's), so calls from
 * several threads do not meet. Rows are written in the given order, so the same rows always make the
 * same file content.
 */
@ApplicationScoped
public class CsvParquetWriter {

    private DuckDBConnection database;

    /**
     * Writes the CSV's rows, grouped by a SQL expression over its columns, one Parquet file per group
     * in directory; returns each group's value (as text) and its file, groups in ascending order.
     * CSV as COPY writes it: no header, {@code ""} an empty string and an empty field a null.
     */
    public Map<String, Path> write(Path csv, List<ParquetColumn> columns, String groupBy, String orderBy, Path directory)
            throws SQLException {
        try (DuckDBConnection duck = (DuckDBConnection) database().duplicate(); Statement statement = duck.createStatement()) {
            // auto_detect off: the columns are known, and DuckDB's sniffer alone takes longer than reading 10,000 rows
            statement.execute("create temp table csv_rows as select *, " + groupBy + " as parquet_group from read_csv('"
                    + literal(csv) + "', header = false, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                    + "allow_quoted_nulls = false, columns = {" + columns.stream().map(c -> "'" + c.name() + "': '" + c.sqlType() + "'")
                    .collect(Collectors.joining(", ")) + "})");
            try {
                List<String> groups = new ArrayList<>();
                try (ResultSet r = statement.executeQuery("select distinct cast(parquet_group as varchar) from csv_rows order by 1")) {
                    while (r.next()) {
                        groups.add(r.getString(1));
                    }
                }
                Map<String, Path> files = new LinkedHashMap<>();
                for (int i = 0; i < groups.size(); i++) {
                    Path file = directory.resolve("part-" + i + ".parquet");
                    Files.deleteIfExists(file);
                    statement.execute("copy (select " + columns.stream().map(ParquetColumn::name).collect(Collectors.joining(", "))
                            + " from csv_rows where cast(parquet_group as varchar) " + (groups.get(i) == null ? "is null" : "= '"
                            + groups.get(i).replace("'", "''") + "'") + " order by " + orderBy + ") to '" + literal(file)
                            + "' (format parquet, compression zstd, row_group_size 100000)");
                    files.put(groups.get(i), file);
                }
                return files;
            } finally {
                statement.execute("drop table csv_rows");
            }
        } catch (java.io.IOException e) {
            throw new SQLException("cannot write Parquet files in " + directory, e);
        }
    }

    private synchronized DuckDBConnection database() throws SQLException {
        if (database == null) {
            database = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
            try (Statement statement = database.createStatement()) {
                // a small, predictable footprint inside Sluice's process (each write uses the calling thread)
                statement.execute("set memory_limit = '256MB'");
                statement.execute("set threads = 1");
                statement.execute("set preserve_insertion_order = true");
            }
        }
        return database;
    }

    @PreDestroy
    synchronized void close() throws SQLException {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    private static String literal(Path path) {
        return path.toAbsolutePath().toString().replace("'", "''");
    }
}
