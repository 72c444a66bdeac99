package dev.sluice.rows;

import dev.sluice.api.NotFoundException;
import dev.sluice.config.YamlFields;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.ColumnType;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /datasets and GET /datasets/{name}: what Sluice loads, as declared (columns, natural key,
 * whether the API may write it, retention), with how many rows its table holds and its last load.
 */
@ApplicationScoped
@Named("declaredDatasets")
public class DeclaredDatasets {

    /**
     * Below this many rows (by the planner's estimate) a table is counted exactly; above, the
     * estimate is given (rowCountExact false): count(*) over millions of rows takes a few hundred
     * milliseconds per table, pg_class.reltuples (kept by autovacuum/ANALYZE) none.
     */
    static final long EXACT_COUNT_BELOW = 100_000;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    DatasetRegistry registry;
    @Inject
    TableColumns tableColumns;

    public List<Map<String, Object>> list() throws SQLException {
        List<Map<String, Object>> datasets = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (DatasetDefinition dataset : registry.all()) {
                datasets.add(describe(connection, dataset));
            }
        }
        return datasets;
    }

    /** GET /datasets/{name} (the name read from the request URI, as {@link RowRequest} reads it). */
    public Map<String, Object> get(String uri) throws SQLException {
        String name = RowRequest.of(uri).dataset();
        DatasetDefinition dataset = registry.named(name).orElseThrow(() -> new NotFoundException("no dataset '" + name
                + "'; datasets are " + registry.all().stream().map(DatasetDefinition::name).toList()));
        try (Connection connection = dataSource.getConnection()) {
            return describe(connection, dataset);
        }
    }

    private Map<String, Object> describe(Connection connection, DatasetDefinition dataset) throws SQLException {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", dataset.name());
        item.put("description", dataset.description());
        item.put("table", dataset.table());
        item.put("files", dataset.files());
        item.put("columns", dataset.columns().stream().map(c -> column(c, dataset.naturalKey().contains(c.name()))).toList());
        item.put("naturalKey", dataset.naturalKey());
        item.put("writable", dataset.writable());
        boolean tableExists = !tableColumns.of(dataset.table()).isEmpty();
        item.put("lineage", tableExists && tableColumns.of(dataset.table()).contains(TableColumns.LINEAGE));
        long[] count = tableExists ? rowCount(connection, dataset.table()) : null;
        item.put("rowCount", count == null ? null : count[0]);
        item.put("rowCountExact", count == null ? null : count[1] == 1);
        item.put("lastLoad", lastLoad(connection, dataset.name()));
        item.put("retention", retention(dataset.retention()));
        item.put("rows", "/datasets/" + dataset.name() + "/rows");
        return item;
    }

    private static Map<String, Object> column(ColumnDefinition column, boolean key) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", column.name());
        item.put("type", column.type().name().toLowerCase(java.util.Locale.ROOT));
        item.put("required", column.required());
        item.put("key", key);
        if (!column.field().equals(column.name())) {
            item.put("field", column.field());
        }
        if (column.type() == ColumnType.TEXT && column.maxLength() > 0) {
            item.put("maxLength", column.maxLength());
        }
        if (column.type() == ColumnType.DECIMAL && column.precision() > 0) {
            item.put("precision", column.precision());
            item.put("scale", column.scale());
        }
        if (column.type() == ColumnType.TIMESTAMP) {
            item.put("format", column.format());
            item.put("zone", column.zone());
        }
        return item;
    }

    /** {rows, 1 when exact}: the planner's estimate for big tables, count(*) for small ones. */
    private static long[] rowCount(Connection connection, String table) throws SQLException {
        try (PreparedStatement estimate = connection.prepareStatement("select reltuples::bigint from pg_class where oid = to_regclass(?)")) {
            estimate.setString(1, table);
            try (ResultSet row = estimate.executeQuery()) {
                // -1: never vacuumed or analyzed yet
                long estimated = row.next() ? row.getLong(1) : -1;
                if (estimated >= EXACT_COUNT_BELOW) {
                    return new long[] {estimated, 0};
                }
            }
        }
        try (PreparedStatement count = connection.prepareStatement("select count(*) from " + RowTable.quoted(table));
             ResultSet row = count.executeQuery()) {
            row.next();
            return new long[] {row.getLong(1), 1};
        }
    }

    /** The newest run that wrote rows of the dataset (a file, a poll, an API write), or null. */
    private static Map<String, Object> lastLoad(Connection connection, String dataset) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                select id, source, kind, subject, finished_at, rows_loaded from ingest_run
                where dataset = ? and outcome = 'loaded' and rows_loaded > 0 and finished_at is not null
                order by started_at desc limit 1""")) {
            select.setString(1, dataset);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("runId", row.getLong("id"));
                run.put("source", row.getString("source"));
                run.put("kind", row.getString("kind"));
                run.put("subject", row.getString("subject"));
                run.put("finishedAt", row.getTimestamp("finished_at").toInstant().toString());
                run.put("rowsLoaded", row.getLong("rows_loaded"));
                return run;
            }
        }
    }

    /** {raw, rows, rowsBy}: durations as declared (90d); null where kept forever. */
    private static Map<String, Object> retention(DatasetDefinition.Retention retention) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("raw", format(retention.raw()));
        item.put("rows", format(retention.rows()));
        item.put("rowsBy", retention.rowsColumn());
        return item;
    }

    private static String format(Duration duration) {
        return duration == null ? null : YamlFields.format(duration);
    }
}
