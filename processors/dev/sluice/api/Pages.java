package dev.sluice.api;

import io.agroal.api.AgroalDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One page of a filtered table as {items, page, size, total}. */
public final class Pages {

    /** Reads the current row of a result set as one item. */
    public interface RowMapper {
        Map<String, Object> item(ResultSet row) throws SQLException;
    }

    private Pages() {
    }

    /** Items with the columns as camelCase fields (timestamps as ISO instants). */
    public static Map<String, Object> query(AgroalDataSource dataSource, String columns, String table, SqlFilter filter,
                                            String orderBy, QueryParameters.Page page) throws SQLException {
        return query(dataSource, columns, table, filter, orderBy, page, Pages::columnsAsFields);
    }

    public static Map<String, Object> query(AgroalDataSource dataSource, String columns, String table, SqlFilter filter,
                                            String orderBy, QueryParameters.Page page, RowMapper mapper) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            long total;
            try (PreparedStatement count = connection.prepareStatement("select count(*) from " + table + filter.where())) {
                filter.bind(count);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    total = row.getLong(1);
                }
            }
            List<Map<String, Object>> items = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("select " + columns + " from " + table + filter.where()
                    + " order by " + orderBy + " limit ? offset ?")) {
                int next = filter.bind(select);
                select.setInt(next, page.size());
                select.setLong(next + 1, page.offset());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        items.add(mapper.item(rows));
                    }
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("items", items);
            result.put("page", page.page());
            result.put("size", page.size());
            result.put("total", total);
            return result;
        }
    }

    private static Map<String, Object> columnsAsFields(ResultSet row) throws SQLException {
        ResultSetMetaData meta = row.getMetaData();
        Map<String, Object> item = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            Object value = row.getObject(i);
            item.put(camelCase(meta.getColumnLabel(i)), value instanceof Timestamp t ? t.toInstant().toString() : value);
        }
        return item;
    }

    static String camelCase(String column) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
