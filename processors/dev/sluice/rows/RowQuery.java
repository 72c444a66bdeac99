package dev.sluice.rows;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.QueryParameters;
import dev.sluice.api.SqlFilter;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.ColumnType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query string of GET /datasets/{name}/rows, read against the declaration:
 * <ul>
 *   <li>{@code column=value} (or {@code column.eq=value}): equality on any declared column, and on
 *       {@code ingest_run_id} (the rows a run wrote);</li>
 *   <li>{@code column.gte=}, {@code .gt=}, {@code .lte=}, {@code .lt=}: ranges on timestamp, int and
 *       decimal columns;</li>
 *   <li>{@code sort=observed_at,-gauge_id}: natural-key columns, '-' for descending; the remaining
 *       key columns follow in key order, so the order is total and pages do not overlap;</li>
 *   <li>{@code page}, {@code size} as in every Sluice list.</li>
 * </ul>
 * Values are converted as the loader converts the column's values (a timestamp without an offset is
 * in the column's declared zone). Anything else is a 400 that says what is allowed.
 */
final class RowQuery {

    private static final Map<String, String> RANGES = Map.of("gte", ">=", "gt", ">", "lte", "<=", "lt", "<");
    private static final Set<String> PAGING = Set.of("page", "size", "sort");

    final SqlFilter filter = new SqlFilter();
    final String orderBy;
    final QueryParameters.Page page;

    RowQuery(RowTable table, Map<String, Object> parameters) {
        QueryParameters query = new QueryParameters(parameters);
        for (String parameter : parameters.keySet()) {
            if (PAGING.contains(parameter)) {
                continue;
            }
            String value = query.text(parameter);
            int dot = parameter.lastIndexOf('.');
            String columnName = dot < 0 ? parameter : parameter.substring(0, dot);
            String operator = dot < 0 ? "eq" : parameter.substring(dot + 1);
            ColumnDefinition column = columnNamed(table, columnName, parameter);
            if (value == null) {
                throw new BadRequestException(parameter + ": a value is expected");
            }
            if (!operator.equals("eq") && !RANGES.containsKey(operator)) {
                throw new BadRequestException(parameter + ": '" + operator + "' is not one of eq, gte, gt, lte, lt");
            }
            if (!operator.equals("eq") && !(column.type() == ColumnType.TIMESTAMP || column.type() == ColumnType.INT
                    || column.type() == ColumnType.DECIMAL)) {
                throw new BadRequestException(parameter + ": ranges apply to timestamp and number columns; "
                        + column.name() + " is " + column.type().name().toLowerCase(java.util.Locale.ROOT));
            }
            String sqlOperator = operator.equals("eq") ? "=" : RANGES.get(operator);
            filter.and(RowTable.quoted(column.name()) + " " + sqlOperator + " " + RowTable.parameter(column.type()),
                    RowValues.fromText(column, value));
        }
        orderBy = orderBy(table, query.text("sort"));
        page = query.page();
    }

    /** A declared column, or the lineage column where the table has it (as an int column). */
    private static ColumnDefinition columnNamed(RowTable table, String name, String parameter) {
        ColumnDefinition column = table.column(name);
        if (column != null) {
            return column;
        }
        if (table.lineage() && name.equals(TableColumns.LINEAGE)) {
            return new ColumnDefinition(name, name, ColumnType.INT, false, 0, 0, 0, null, "UTC");
        }
        Set<String> known = new TreeSet<>(table.dataset().columnNames());
        if (table.lineage()) {
            known.add(TableColumns.LINEAGE);
        }
        throw new BadRequestException("unknown parameter '" + parameter + "': filters are columns " + known
                + " (column=value, column.gte=, .gt=, .lte=, .lt=), plus sort, page, size");
    }

    private static String orderBy(RowTable table, String sort) {
        List<String> key = table.dataset().naturalKey();
        Set<String> named = new LinkedHashSet<>();
        List<String> order = new ArrayList<>();
        if (sort != null) {
            for (String part : sort.split(",")) {
                String p = part.strip();
                boolean descending = p.startsWith("-");
                String column = descending || p.startsWith("+") ? p.substring(1) : p;
                if (!key.contains(column)) {
                    throw new BadRequestException("sort: '" + p + "' is not a natural-key column; sort by " + key
                            + " (a leading '-' for descending)");
                }
                if (named.add(column)) {
                    order.add(RowTable.quoted(column) + (descending ? " desc" : " asc"));
                }
            }
        }
        for (String column : key) {
            if (named.add(column)) {
                order.add(RowTable.quoted(column) + " asc");
            }
        }
        return String.join(", ", order);
    }
}
