package dev.sluice.dataset;

/**
 * One declared column: where its value comes from in the file ({@code field}), its type and limits.
 *
 * @param name      target column name
 * @param field     CSV header / JSON field name the value is read from (defaults to {@code name})
 * @param type      value type
 * @param required  whether an empty or absent value rejects the row
 * @param maxLength longest accepted text, in characters (text only; 0 = the loader's global limit)
 * @param precision total digits (decimal only; 0 = unlimited)
 * @param scale     digits after the point (decimal only)
 * @param format    java.time pattern (timestamp only)
 * @param zone      zone for timestamps without an offset (timestamp only)
 */
public record ColumnDefinition(String name, String field, ColumnType type, boolean required, int maxLength,
                               int precision, int scale, String format, String zone) {
}
