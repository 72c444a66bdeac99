package dev.sluice.silver;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A silver run's summary: rows in/out, rejected, duplicates, counts per value of one column, min/avg/max of others. */
final class SilverSummary {

    private final SilverTable table;
    long files;
    long rowsIn;
    long rowsOut;
    long rejected;
    long duplicates;
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, BigDecimal[]> stats = new LinkedHashMap<>(); // min, max, sum, n

    SilverSummary(SilverTable table) {
        this.table = table;
    }

    void row(Object[] values) {
        rowsOut++;
        if (table.countBy() != null) {
            counts.merge(String.valueOf(values[table.indexOf(table.countBy())]), 1L, Long::sum);
        }
        for (String column : table.stats()) {
            Object value = values[table.indexOf(column)];
            if (value == null) {
                continue;
            }
            BigDecimal v = value instanceof BigDecimal d ? d : BigDecimal.valueOf(((Number) value).longValue());
            BigDecimal[] s = stats.computeIfAbsent(column, c -> new BigDecimal[] {v, v, BigDecimal.ZERO, BigDecimal.ZERO});
            s[0] = s[0].min(v);
            s[1] = s[1].max(v);
            s[2] = s[2].add(v);
            s[3] = s[3].add(BigDecimal.ONE);
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("table", table.name());
        map.put("files", files);
        map.put("rowsIn", rowsIn);
        map.put("rowsOut", rowsOut);
        map.put("rejected", rejected);
        map.put("duplicates", duplicates);
        if (table.countBy() != null) {
            map.put(table.countBy(), counts);
        }
        for (String column : table.stats()) {
            BigDecimal[] s = stats.get(column);
            map.put(column, s == null ? null : Map.of("min", s[0], "avg", s[2].divide(s[3], MathContext.DECIMAL64), "max", s[1]));
        }
        return map;
    }
}
