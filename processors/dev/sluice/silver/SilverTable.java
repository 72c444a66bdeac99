package dev.sluice.silver;

import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.ColumnType;
import dev.sluice.parquet.ParquetColumn;

import java.util.ArrayList;
import java.util.List;

/**
 * A declared silver table (src/main/resources/silver-tables.yaml).
 *
 * @param eventTypes  the bronze event types it takes
 * @param partitionBy the timestamp column whose UTC date is the date= partition
 * @param columns     payload columns
 * @param countBy     summary: the column whose values are counted per run, or null
 * @param stats       summary: numeric columns described by min/avg/max per run
 */
public record SilverTable(String name, List<String> eventTypes, String partitionBy, List<ColumnDefinition> columns,
                          String countBy, List<String> stats) {

    /** The Parquet columns: envelope first, then the payload columns. */
    public List<ParquetColumn> parquetColumns() {
        List<ParquetColumn> result = new ArrayList<>(List.of(new ParquetColumn("event_id", "BIGINT"),
                new ParquetColumn("client_id", "VARCHAR"), new ParquetColumn("occurred_at", "TIMESTAMPTZ")));
        for (ColumnDefinition c : columns) {
            result.add(new ParquetColumn(c.name(), switch (c.type()) {
                case TEXT -> "VARCHAR";
                case INT -> "BIGINT";
                case BOOLEAN -> "BOOLEAN";
                case TIMESTAMP -> "TIMESTAMPTZ";
                case DECIMAL -> "DECIMAL(%d,%d)".formatted(c.precision() > 0 ? c.precision() : 18, c.precision() > 0 ? c.scale() : 6);
            }));
        }
        return result;
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    static void check(SilverTable table) {
        int partition = table.indexOf(table.partitionBy());
        if (partition < 0 || table.columns().get(partition).type() != ColumnType.TIMESTAMP) {
            throw new IllegalArgumentException("silver table " + table.name() + ": partitionBy must name a timestamp column");
        }
        if (table.countBy() != null && table.indexOf(table.countBy()) < 0) {
            throw new IllegalArgumentException("silver table " + table.name() + ": summary.countBy is not a column");
        }
        for (String s : table.stats()) {
            int i = table.indexOf(s);
            if (i < 0 || (table.columns().get(i).type() != ColumnType.DECIMAL && table.columns().get(i).type() != ColumnType.INT)) {
                throw new IllegalArgumentException("silver table " + table.name() + ": summary.stats '" + s + "' is not a numeric column");
            }
        }
    }
}
