package dev.sluice.parquet;

import java.util.regex.Pattern;

/**
 * A column of a Parquet file Sluice writes.
 *
 * @param name    column name (a plain identifier)
 * @param sqlType its DuckDB type: BIGINT, INTEGER, VARCHAR, BOOLEAN, DOUBLE, DECIMAL(p,s), TIMESTAMPTZ, DATE
 */
public record ParquetColumn(String name, String sqlType) {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern TYPE = Pattern.compile("BIGINT|INTEGER|VARCHAR|BOOLEAN|DOUBLE|DECIMAL\\(\\d{1,2},\\d{1,2}\\)|TIMESTAMPTZ|DATE");

    public ParquetColumn {
        if (!NAME.matcher(name).matches() || !TYPE.matcher(sqlType).matches()) {
            throw new IllegalArgumentException("not a Parquet column Sluice writes: " + name + " " + sqlType);
        }
    }

    /** The scale of a DECIMAL column, else -1. */
    int scale() {
        return sqlType.startsWith("DECIMAL") ? Integer.parseInt(sqlType.replaceAll(".*,(\\d+)\\)", "$1")) : -1;
    }
}
