package dev.sluice.dataset;

/** The value types a dataset column may declare; each maps to one PostgreSQL type family. */
public enum ColumnType {
    TEXT, INT, DECIMAL, TIMESTAMP, BOOLEAN;

    public static ColumnType of(String name) {
        try {
            return valueOf(name.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown column type '" + name + "' (text, int, decimal, timestamp, boolean)");
        }
    }
}
