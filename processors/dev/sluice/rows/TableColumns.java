package dev.sluice.rows;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The columns a dataset table has in the database: whether the table exists yet and whether it
 * carries the lineage column. A table with the lineage column is remembered for a few seconds, so a
 * request does not ask PostgreSQL's catalog each time; one without it (not made yet, or made before
 * lineage existed) is asked about again on every request, so the column is used as soon as it is there.
 */
@ApplicationScoped
public class TableColumns {

    /** the lineage column: the ingest_run that last wrote the row */
    public static final String LINEAGE = "ingest_run_id";
    private static final long FRESH_NANOS = 10_000_000_000L;

    private record Known(Set<String> columns, long readAt) {
    }

    @Inject
    AgroalDataSource dataSource;

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** The table's column names; empty when there is no such table. */
    public Set<String> of(String table) throws SQLException {
        Known k = known.get(table);
        if (k != null && System.nanoTime() - k.readAt() < FRESH_NANOS) {
            return k.columns();
        }
        Set<String> columns = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select attname from pg_attribute where attrelid = to_regclass(?) and attnum > 0 and not attisdropped")) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        Set<String> result = Set.copyOf(columns);
        if (result.contains(LINEAGE)) {
            known.put(table, new Known(result, System.nanoTime()));
        } else {
            known.remove(table);
        }
        return result;
    }
}
