package dev.sluice.rows;

import dev.sluice.api.BadRequestException;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.ingest.BadValueException;
import dev.sluice.ingest.ValueConverter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Values a client sends, checked against the declaration with the loader's own conversions
 * ({@link ValueConverter}): what a file could not load, the API does not accept either. Each value
 * becomes the canonical text PostgreSQL reads for the column's type (bound as a parameter).
 */
final class RowValues {

    private RowValues() {
    }

    /** One value from a URL (a key segment, a filter): "column: why" when it does not convert. */
    static String fromText(ColumnDefinition column, String text) {
        try {
            return ValueConverter.of(column).convert(text);
        } catch (BadValueException e) {
            throw new BadRequestException(column.name() + ": " + e.getMessage());
        }
    }

    /** The natural key named by the path's segments, in key order. */
    static List<String> key(RowTable table, List<String> segments) {
        List<ColumnDefinition> key = table.keyColumns();
        if (segments.size() != key.size()) {
            throw new dev.sluice.api.NotFoundException("a row of " + table.dataset().name() + " is addressed by its natural key "
                    + String.join("/", table.dataset().naturalKey()) + " (" + key.size() + " path segment"
                    + (key.size() == 1 ? "" : "s") + " after /rows/), not by " + segments.size());
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            values.add(fromText(key.get(i), segments.get(i)));
        }
        return values;
    }

    /**
     * A JSON object as a whole row: every declared column (absent ones null), checked. Every problem
     * is reported at once, each naming its field. {@code pathKey} (PUT) fills the key columns; a key
     * field in the body must then say the same.
     */
    static Map<String, String> row(RowTable table, Map<String, Object> body, List<String> pathKey) {
        DatasetDefinition dataset = table.dataset();
        if (body == null) {
            throw new BadRequestException("a JSON object with the row's columns is expected; columns are " + dataset.columnNames());
        }
        List<String> problems = new ArrayList<>();
        for (String field : body.keySet()) {
            if (field.equals(TableColumns.LINEAGE)) {
                problems.add(field + ": set by Sluice (the run that wrote the row), not by clients");
            } else if (table.column(field) == null) {
                problems.add("unknown field '" + field + "'; fields are " + new TreeSet<>(dataset.columnNames()));
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (ColumnDefinition column : dataset.columns()) {
            int keyIndex = dataset.naturalKey().indexOf(column.name());
            Object given = body.get(column.name());
            try {
                String value = given == null ? null : convert(column, given);
                if (pathKey != null && keyIndex >= 0) {
                    if (value != null && !value.equals(pathKey.get(keyIndex))) {
                        throw new BadValueException("is part of the key and differs from the path's ('" + given + "')");
                    }
                    value = pathKey.get(keyIndex);
                }
                if (value == null && column.required()) {
                    throw new BadValueException("required");
                }
                values.put(column.name(), value);
            } catch (BadValueException e) {
                problems.add(column.name() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new BadRequestException(String.join("; ", problems));
        }
        return values;
    }

    /** A JSON value of the column's kind (texts as strings, numbers as numbers or strings, ...) → canonical text. */
    static String convert(ColumnDefinition column, Object json) throws BadValueException {
        String text = switch (column.type()) {
            case TEXT, TIMESTAMP -> {
                if (!(json instanceof String s)) {
                    throw new BadValueException("a string expected, not " + kind(json));
                }
                yield s;
            }
            case INT -> {
                if (json instanceof Integer || json instanceof Long || json instanceof BigInteger || json instanceof String) {
                    yield json.toString();
                }
                throw new BadValueException(json instanceof Number ? "'" + json + "' is not an integer" : "a whole number expected, not " + kind(json));
            }
            case DECIMAL -> {
                if (json instanceof Double d) {
                    yield BigDecimal.valueOf(d).toPlainString();
                }
                if (json instanceof BigDecimal d) {
                    yield d.toPlainString();
                }
                if (json instanceof Number || json instanceof String) {
                    yield json.toString();
                }
                throw new BadValueException("a number expected, not " + kind(json));
            }
            case BOOLEAN -> {
                if (json instanceof Boolean || json instanceof String) {
                    yield json.toString();
                }
                throw new BadValueException("true or false expected, not " + kind(json));
            }
        };
        String value = ValueConverter.of(column).convert(text);
        if (column.type() == dev.sluice.dataset.ColumnType.DECIMAL && column.precision() > 0) {
            // the loader lets PostgreSQL round extra fraction digits; a client is told instead
            int digits = Math.max(0, new BigDecimal(value).stripTrailingZeros().scale());
            if (digits > column.scale()) {
                throw new BadValueException("'" + value + "' has " + digits + " digits after the point; numeric("
                        + column.precision() + "," + column.scale() + ") keeps " + column.scale());
            }
        }
        return value;
    }

    private static String kind(Object json) {
        return json instanceof String ? "a string" : json instanceof Number ? "a number" : json instanceof Boolean ? "a boolean"
                : json instanceof Map<?, ?> ? "an object" : json instanceof List<?> ? "an array" : json.getClass().getSimpleName();
    }
}
