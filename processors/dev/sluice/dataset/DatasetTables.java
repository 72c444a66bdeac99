package dev.sluice.dataset;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A dataset's table, made from its declaration: created when absent (declared types, primary key on the
 * natural key, the lineage column), widened when the declaration gains a column, and otherwise left
 * alone. A difference Sluice cannot resolve without a DBA's judgement (a column's type, the key, a
 * column no declaration has any more) is refused: the table stays exactly as it is and the caller
 * stops that dataset with the reason.
 *
 * <p>Text columns are created as {@code text} whatever their maxLength: the loader enforces the
 * declared length on every value already, the shipped tables (V2, V5) are {@code text} too, and a
 * changed maxLength then needs no DDL (a varchar(n) would make every new limit a refused type change).
 * int is {@code bigint}: the loader accepts any 64-bit integer.
 */
@ApplicationScoped
public class DatasetTables {

    /** The lineage column every dataset table carries: the ingest_run that last wrote the row. */
    public static final String LINEAGE_COLUMN = "ingest_run_id";

    @Inject
    AgroalDataSource dataSource;

    /** What {@link #sync} did to the table. */
    public record Outcome(boolean created, List<String> addedColumns) {

        public boolean changed() {
            return created || !addedColumns.isEmpty();
        }
    }

    /** A difference between the declaration and the table that Sluice refuses to resolve on its own. */
    public static class RefusedChangeException extends Exception {
        public RefusedChangeException(String message) {
            super(message, null, false, false);
        }
    }

    /** One existing column as information_schema describes it. */
    public record ExistingColumn(String name, String dataType, Integer maxLength, Integer precision, Integer scale) {

        String describe() {
            return switch (dataType) {
                case "numeric" -> precision == null ? "numeric" : "numeric(" + precision + "," + scale + ")";
                case "character varying" -> maxLength == null ? "varchar" : "varchar(" + maxLength + ")";
                default -> dataType;
            };
        }
    }

    /**
     * Brings the dataset's table in line with its declaration, in one transaction under a lock on the
     * table's name (two instances starting together create it once).
     *
     * @param sharedColumns columns other datasets declare on the same table (two declarations may feed one
     *                      table, each with a part of its columns): not "dropped" for this one
     * @throws RefusedChangeException the table differs in a way Sluice does not change; nothing was changed
     */
    public Outcome sync(DatasetDefinition dataset, Set<String> sharedColumns) throws SQLException, RefusedChangeException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "sluice-dataset-table:" + dataset.table());
                    lock.executeQuery().close();
                }
                Map<String, ExistingColumn> existing = columns(connection, dataset.table());
                List<String> statements;
                Outcome outcome;
                if (existing.isEmpty()) {
                    statements = List.of(createSql(dataset));
                    outcome = new Outcome(true, List.of());
                } else {
                    List<ColumnDefinition> missing = changes(dataset, existing, primaryKey(connection, dataset.table()), sharedColumns);
                    statements = addColumnsSql(dataset.table(), missing, !existing.containsKey(LINEAGE_COLUMN));
                    List<String> added = new ArrayList<>(missing.stream().map(ColumnDefinition::name).toList());
                    if (!existing.containsKey(LINEAGE_COLUMN)) {
                        added.add(LINEAGE_COLUMN);
                    }
                    outcome = new Outcome(false, added);
                }
                try (Statement statement = connection.createStatement()) {
                    for (String sql : statements) {
                        statement.execute(sql);
                    }
                }
                connection.commit();
                return outcome;
            } catch (SQLException | RuntimeException | RefusedChangeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** CREATE TABLE for a declaration: declared columns in order, key columns NOT NULL, the lineage column, the key. */
    public static String createSql(DatasetDefinition dataset) {
        String columns = dataset.columns().stream()
                .map(c -> c.name() + " " + sqlType(c) + (dataset.naturalKey().contains(c.name()) ? " not null" : ""))
                .collect(Collectors.joining(", "));
        return "create table " + dataset.table() + " (" + columns + ", " + LINEAGE_COLUMN + " bigint, primary key ("
               + String.join(", ", dataset.naturalKey()) + "))";
    }

    /** The PostgreSQL type a declared column is created with. */
    public static String sqlType(ColumnDefinition column) {
        return switch (column.type()) {
            case TEXT -> "text";
            case INT -> "bigint";
            case DECIMAL -> column.precision() > 0 ? "numeric(" + column.precision() + ", " + column.scale() + ")" : "numeric";
            case TIMESTAMP -> "timestamptz";
            case BOOLEAN -> "boolean";
        };
    }

    /**
     * Compares an existing table with the declaration.
     *
     * @return the declared columns the table lacks (to be added, nullable: existing rows have no value)
     * @throws RefusedChangeException a column's type differs, the key differs, or the table has a column
     *                                no declaration of it names any more
     */
    public static List<ColumnDefinition> changes(DatasetDefinition dataset, Map<String, ExistingColumn> existing,
                                                 List<String> primaryKey, Set<String> sharedColumns)
            throws RefusedChangeException {
        List<String> problems = new ArrayList<>();
        List<ColumnDefinition> missing = new ArrayList<>();
        for (ColumnDefinition column : dataset.columns()) {
            ExistingColumn present = existing.get(column.name());
            if (present == null) {
                missing.add(column);
            } else if (!compatible(column, present)) {
                problems.add("column " + column.name() + " is " + present.describe() + " in the table but declared "
                             + declared(column) + " (a type change)");
            }
        }
        if (!new LinkedHashSet<>(primaryKey).equals(new LinkedHashSet<>(dataset.naturalKey()))) {
            problems.add(primaryKey.isEmpty()
                    ? "the table has no primary key, the declared naturalKey is " + dataset.naturalKey() + " (a key change)"
                    : "the table's primary key is " + primaryKey + " but the declared naturalKey is " + dataset.naturalKey()
                      + " (a key change)");
        }
        Set<String> declared = new LinkedHashSet<>(dataset.columnNames());
        declared.addAll(sharedColumns);
        declared.add(LINEAGE_COLUMN);
        List<String> dropped = existing.keySet().stream().filter(c -> !declared.contains(c)).toList();
        if (!dropped.isEmpty()) {
            problems.add("column" + (dropped.size() > 1 ? "s " : " ") + String.join(", ", dropped)
                         + " in the table but no longer declared (a dropped column: drop it from the table by hand, or declare it again)");
        }
        if (!problems.isEmpty()) {
            throw new RefusedChangeException("table " + dataset.table() + ": " + String.join("; ", problems));
        }
        return missing;
    }

    static List<String> addColumnsSql(String table, Collection<ColumnDefinition> columns, boolean lineage) {
        List<String> statements = new ArrayList<>();
        columns.forEach(c -> statements.add("alter table " + table + " add column " + c.name() + " " + sqlType(c)));
        if (lineage) {
            // no foreign key to ingest_run: checking it costs every loaded row a lookup (COPY speed is the point),
            // and runs may be purged while the rows they wrote are kept
            statements.add("alter table " + table + " add column " + LINEAGE_COLUMN + " bigint");
        }
        return statements;
    }

    private static boolean compatible(ColumnDefinition column, ExistingColumn present) {
        return switch (column.type()) {
            // the loader enforces maxLength; a varchar is fine while it holds every value the declaration admits
            case TEXT -> "text".equals(present.dataType())
                         || "character varying".equals(present.dataType())
                            && (present.maxLength() == null || column.maxLength() > 0 && column.maxLength() <= present.maxLength());
            case INT -> "bigint".equals(present.dataType()) || "integer".equals(present.dataType());
            case DECIMAL -> "numeric".equals(present.dataType())
                            && (column.precision() == 0
                                ? present.precision() == null
                                : Integer.valueOf(column.precision()).equals(present.precision())
                                  && Integer.valueOf(column.scale()).equals(present.scale()));
            case TIMESTAMP -> "timestamp with time zone".equals(present.dataType());
            case BOOLEAN -> "boolean".equals(present.dataType());
        };
    }

    private static String declared(ColumnDefinition column) {
        return switch (column.type()) {
            case TEXT -> column.maxLength() > 0 ? "text(maxLength " + column.maxLength() + ")" : "text";
            case DECIMAL -> column.precision() > 0 ? "decimal(" + column.precision() + "," + column.scale() + ")" : "decimal";
            default -> column.type().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The table's columns in order, or none when it does not exist (in the current schema). */
    static Map<String, ExistingColumn> columns(Connection connection, String table) throws SQLException {
        Map<String, ExistingColumn> columns = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("""
                select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale
                from information_schema.columns where table_schema = current_schema() and table_name = ?
                order by ordinal_position""")) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString(2);
                    boolean numeric = "numeric".equals(type);
                    columns.put(rows.getString(1), new ExistingColumn(rows.getString(1), type, integer(rows, 3),
                            numeric ? integer(rows, 4) : null, numeric ? integer(rows, 5) : null));
                }
            }
        }
        return columns;
    }

    /** information_schema's cardinal_number (a domain, not always read back as an Integer), or null. */
    private static Integer integer(ResultSet rows, int column) throws SQLException {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
    }

    /** The columns of the table's primary key, in key order; empty when it has none. */
    static List<String> primaryKey(Connection connection, String table) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                select k.column_name from information_schema.table_constraints c
                join information_schema.key_column_usage k
                  on k.constraint_schema = c.constraint_schema and k.constraint_name = c.constraint_name
                 and k.table_name = c.table_name
                where c.table_schema = current_schema() and c.table_name = ? and c.constraint_type = 'PRIMARY KEY'
                order by k.ordinal_position""")) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    key.add(rows.getString(1));
                }
            }
        }
        return key;
    }
}
