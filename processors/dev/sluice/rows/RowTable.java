package dev.sluice.rows;

import dev.sluice.api.ConflictException;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.ColumnType;
import dev.sluice.dataset.DatasetDefinition;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A declared dataset's table as SQL sees it. Only declared column names (checked as lower-case SQL
 * identifiers when the declaration was read) and the lineage column ever appear in the SQL text;
 * values are always bound parameters, cast to the column's type in the statement.
 *
 * @param dataset the declaration
 * @param lineage whether the table has the lineage column ({@link TableColumns#LINEAGE})
 */
record RowTable(DatasetDefinition dataset, boolean lineage) {

    /** The table of a declaration, checked against what the database has. */
    static RowTable of(DatasetDefinition dataset, Set<String> present) {
        if (present.isEmpty()) {
            throw new ConflictException("dataset " + dataset.name() + " has no table " + dataset.table() + " yet");
        }
        List<String> missing = dataset.columnNames().stream().filter(c -> !present.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new ConflictException("table " + dataset.table() + " of dataset " + dataset.name()
                    + " lacks the declared column(s) " + missing);
        }
        return new RowTable(dataset, present.contains(TableColumns.LINEAGE));
    }

    static String quoted(String identifier) {
        return '"' + identifier + '"';
    }

    String table() {
        return quoted(dataset.table());
    }

    /** The SELECT list: the declared columns in declaration order, then the lineage column. */
    String selectList() {
        String columns = dataset.columnNames().stream().map(RowTable::quoted).collect(Collectors.joining(", "));
        return lineage ? columns + ", " + quoted(TableColumns.LINEAGE) : columns;
    }

    /** A bound parameter of this column's type: PostgreSQL reads the canonical text of {@link RowValues}. */
    static String parameter(ColumnType type) {
        return switch (type) {
            case TEXT -> "?";
            case INT -> "?::bigint";
            case DECIMAL -> "?::numeric";
            case TIMESTAMP -> "?::timestamptz";
            case BOOLEAN -> "?::boolean";
        };
    }

    ColumnDefinition column(String name) {
        return dataset.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }

    List<ColumnDefinition> keyColumns() {
        return dataset.naturalKey().stream().map(this::column).toList();
    }

    /** "k1" = ?::type and "k2" = ?::type, in key order. */
    String keyCondition() {
        return keyColumns().stream().map(c -> quoted(c.name()) + " = " + parameter(c.type())).collect(Collectors.joining(" and "));
    }

    /** The current row as JSON values: text, whole numbers, decimals as exact JSON numbers, instants, booleans. */
    Map<String, Object> row(ResultSet row) throws SQLException {
        Map<String, Object> item = new LinkedHashMap<>();
        int i = 1;
        for (ColumnDefinition column : dataset.columns()) {
            item.put(column.name(), value(row, i++, column.type()));
        }
        if (lineage) {
            long run = row.getLong(i);
            item.put(TableColumns.LINEAGE, row.wasNull() ? null : run);
        }
        return item;
    }

    private static Object value(ResultSet row, int i, ColumnType type) throws SQLException {
        Object value = switch (type) {
            case TEXT -> row.getString(i);
            case INT -> row.getLong(i);
            case DECIMAL -> row.getBigDecimal(i);
            case TIMESTAMP -> {
                Timestamp t = row.getTimestamp(i);
                yield t == null ? null : t.toInstant().toString();
            }
            case BOOLEAN -> row.getBoolean(i);
        };
        return row.wasNull() ? null : value;
    }
}
