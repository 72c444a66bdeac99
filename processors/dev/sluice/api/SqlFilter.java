package dev.sluice.api;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A WHERE clause built from optional filters. Conditions are fixed SQL written in the code; only
 * values are bound as parameters, never spliced into the text.
 */
public final class SqlFilter {

    private final List<String> conditions = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();

    /** Adds {@code condition} (with one ?) when value is not null. */
    public SqlFilter and(String condition, Object value) {
        if (value != null) {
            conditions.add(condition);
            values.add(value instanceof Instant instant ? Timestamp.from(instant) : value);
        }
        return this;
    }

    /** Adds a condition without a parameter. */
    public SqlFilter and(String condition) {
        conditions.add(condition);
        return this;
    }

    public String where() {
        return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
    }

    /** Binds the values from parameter 1 on; returns the next parameter index. */
    public int bind(PreparedStatement statement) throws SQLException {
        int index = 1;
        for (Object value : values) {
            statement.setObject(index++, value);
        }
        return index;
    }
}
