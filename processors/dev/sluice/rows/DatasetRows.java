package dev.sluice.rows;

import dev.sluice.api.ConflictException;
import dev.sluice.api.MethodNotAllowedException;
import dev.sluice.api.NotFoundException;
import dev.sluice.api.Pages;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rows of a declared dataset over HTTP: GET /datasets/{name}/rows (filtered, sorted, offset
 * pages), GET/PUT/DELETE /datasets/{name}/rows/{key…} (one row by its natural key, one path segment
 * per key column in key order) and POST /datasets/{name}/rows.
 *
 * <p>Writes are for datasets declared {@code writable: true} only (405 otherwise). Each write is
 * recorded as an ingest_run (source api, kind api) in the row's own transaction, and the row's
 * lineage column points at it, so a row written by hand traces back like a loaded one.
 */
@ApplicationScoped
@Named("datasetRows")
public class DatasetRows {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    DatasetRegistry registry;
    @Inject
    TableColumns tableColumns;
    @Inject
    IngestRuns runs;

    /** GET /datasets/{name}/rows: {items, page, size, total}. */
    public Map<String, Object> list(String uri) throws SQLException {
        RowRequest request = RowRequest.of(uri);
        RowTable table = table(request.dataset());
        RowQuery query = new RowQuery(table, request.query());
        return Pages.query(dataSource, table.selectList(), table.table(), query.filter, query.orderBy, query.page, table::row);
    }

    /** GET /datasets/{name}/rows/{key…}: the row, or 404. */
    public Map<String, Object> get(String uri) throws SQLException {
        RowRequest request = RowRequest.of(uri);
        RowTable table = table(request.dataset());
        List<String> key = RowValues.key(table, request.key());
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select " + table.selectList() + " from " + table.table() + " where " + table.keyCondition())) {
            bind(select, 1, key);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw absent(table, key);
                }
                return table.row(row);
            }
        }
    }

    /** POST /datasets/{name}/rows: the row as stored (201), or 409 when its key is taken. */
    public Map<String, Object> create(String uri, Map<String, Object> body) throws SQLException {
        RowRequest request = RowRequest.of(uri);
        RowTable table = writableTable(request.dataset());
        Map<String, String> values = RowValues.row(table, body, null);
        List<String> key = table.dataset().naturalKey().stream().map(values::get).toList();
        List<String> columns = new ArrayList<>(values.keySet());
        String parameters = columns.stream().map(c -> RowTable.parameter(table.column(c).type())).collect(Collectors.joining(", "));
        String insert = "insert into " + table.table() + " (" + columns.stream().map(RowTable::quoted).collect(Collectors.joining(", "))
                + (table.lineage() ? ", " + RowTable.quoted(TableColumns.LINEAGE) : "") + ") values (" + parameters
                + (table.lineage() ? ", ?" : "") + ") on conflict do nothing returning " + table.selectList();
        return write(table, "created", key, insert, new ArrayList<>(values.values()), null, () -> new ConflictException(
                "a row of " + table.dataset().name() + " with " + describe(table, key) + " exists; PUT replaces it"));
    }

    /** PUT /datasets/{name}/rows/{key…}: replaces an existing row (every column; absent ones become null), or 404. */
    public Map<String, Object> replace(String uri, Map<String, Object> body) throws SQLException {
        RowRequest request = RowRequest.of(uri);
        RowTable table = writableTable(request.dataset());
        List<String> key = RowValues.key(table, request.key());
        Map<String, String> values = RowValues.row(table, body, key);
        List<String> columns = values.keySet().stream().filter(c -> !table.dataset().naturalKey().contains(c)).toList();
        List<String> assignments = new ArrayList<>(columns.stream()
                .map(c -> RowTable.quoted(c) + " = " + RowTable.parameter(table.column(c).type())).toList());
        if (table.lineage()) {
            assignments.add(RowTable.quoted(TableColumns.LINEAGE) + " = ?");
        } else if (assignments.isEmpty()) {
            // a key-only row without lineage: nothing to replace but its existence
            String first = RowTable.quoted(table.dataset().naturalKey().get(0));
            assignments.add(first + " = " + first);
        }
        String update = "update " + table.table() + " set " + String.join(", ", assignments) + " where " + table.keyCondition()
                + " returning " + table.selectList();
        List<String> bound = columns.stream().map(values::get).collect(Collectors.toCollection(ArrayList::new));
        return write(table, "replaced", key, update, bound, key, () -> absent(table, key));
    }

    /** DELETE /datasets/{name}/rows/{key…}: 204, or 404. */
    public void delete(String uri) throws SQLException {
        RowRequest request = RowRequest.of(uri);
        RowTable table = writableTable(request.dataset());
        List<String> key = RowValues.key(table, request.key());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(
                    "delete from " + table.table() + " where " + table.keyCondition())) {
                bind(delete, 1, key);
                if (delete.executeUpdate() == 0) {
                    connection.rollback();
                    throw absent(table, key);
                }
                record(connection, table, "deleted", key, 0);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Runs an INSERT/UPDATE … RETURNING in one transaction with its ingest_run. Parameters: the
     * values, then the lineage (when the table has it), then the key (UPDATE's WHERE).
     */
    private Map<String, Object> write(RowTable table, String what, List<String> key, String sql, List<String> values,
                                      List<String> whereKey, java.util.function.Supplier<RuntimeException> nothing) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                long run = record(connection, table, what, key, 1);
                int next = bind(statement, 1, values);
                if (table.lineage()) {
                    statement.setLong(next++, run);
                }
                if (whereKey != null) {
                    bind(statement, next, whereKey);
                }
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        connection.rollback();
                        throw nothing.get();
                    }
                    Map<String, Object> stored = table.row(row);
                    connection.commit();
                    return stored;
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** The write as an ingest_run: source and kind "api", the key as its subject. */
    private long record(Connection connection, RowTable table, String what, List<String> key, long rows) throws SQLException {
        Instant now = Instant.now();
        return runs.record(connection, new IngestRun("api", "api", String.join("/", key), table.dataset().name(), null,
                rows, rows, 0, 0, now, now, rows > 0 ? "loaded" : what, "row " + what + " through the datasets API"));
    }

    private static int bind(PreparedStatement statement, int index, List<String> values) throws SQLException {
        for (String value : values) {
            statement.setString(index++, value);
        }
        return index;
    }

    RowTable table(String name) throws SQLException {
        DatasetDefinition dataset = registry.named(name).orElseThrow(() -> new NotFoundException("no dataset '" + name
                + "'; datasets are " + registry.all().stream().map(DatasetDefinition::name).toList()));
        return RowTable.of(dataset, tableColumns.of(dataset.table()));
    }

    private RowTable writableTable(String name) throws SQLException {
        RowTable table = table(name);
        if (!table.dataset().writable()) {
            throw new MethodNotAllowedException("dataset " + name + " is read-only: its rows come from its files"
                    + " (a declaration with writable: true accepts POST, PUT and DELETE)");
        }
        return table;
    }

    private static NotFoundException absent(RowTable table, List<String> key) {
        return new NotFoundException("no row of " + table.dataset().name() + " with " + describe(table, key));
    }

    private static String describe(RowTable table, List<String> key) {
        List<String> names = table.dataset().naturalKey();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            parts.add(names.get(i) + "=" + key.get(i));
        }
        return String.join(", ", parts);
    }
}
