package dev.sluice.ingest;

import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.DatasetDefinition;

import java.util.List;
import java.util.Set;

/**
 * Converts a record's values column by column into one binary COPY row ({@link BinaryCopyBuffer}), or
 * names the first bad value.
 */
public final class RowConverter {

    private final String[] names;
    private final boolean[] required;
    private final boolean[] text;
    private final ValueConverter[] converters;
    /** Declared int columns the table has as integer (int4), which DatasetTables accepts: 4 bytes in binary COPY. */
    private final boolean[] fourByteInteger;
    private final boolean fourByteLineage;

    public RowConverter(DatasetDefinition dataset) {
        this(dataset, Set.of());
    }

    /** @param integerColumns the table's columns of type integer (int4); the others of a declared int are bigint */
    public RowConverter(DatasetDefinition dataset, Set<String> integerColumns) {
        List<ColumnDefinition> columns = dataset.columns();
        names = columns.stream().map(ColumnDefinition::name).toArray(String[]::new);
        required = new boolean[columns.size()];
        text = new boolean[columns.size()];
        converters = new ValueConverter[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            required[i] = columns.get(i).required();
            text[i] = columns.get(i).type() == dev.sluice.dataset.ColumnType.TEXT;
            converters[i] = ValueConverter.of(columns.get(i));
        }
        fourByteInteger = new boolean[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            fourByteInteger[i] = columns.get(i).type() == dev.sluice.dataset.ColumnType.INT && integerColumns.contains(names[i]);
        }
        fourByteLineage = integerColumns.contains(dev.sluice.dataset.DatasetTables.LINEAGE_COLUMN);
    }

    /**
     * Appends the record as one row in binary COPY format, with the lineage column (the ingest run writing
     * the row) after the declared columns unless {@code runId} is null, and optionally the record number.
     *
     * @return null when the row was written, else the reason it was not (and {@code out} is unchanged)
     */
    public String encode(RawRecord record, BinaryCopyBuffer out, Long runId, boolean withRecordNumber) {
        if (record.error() != null) {
            return record.error();
        }
        int mark = out.mark();
        String[] values = record.values();
        out.startRow(converters.length + (runId != null ? 1 : 0) + (withRecordNumber ? 1 : 0));
        for (int i = 0; i < converters.length; i++) {
            String value = values[i];
            // blank is "no value", except that an optional text column keeps an explicit empty string
            if (value == null || (value.isBlank() && (required[i] || !text[i]))) {
                if (required[i]) {
                    out.truncate(mark);
                    return "column " + names[i] + ": missing value";
                }
                out.nullField();
                continue;
            }
            try {
                if (fourByteInteger[i]) {
                    long number = Long.parseLong(converters[i].convert(value));
                    if (number != (int) number) {
                        throw new BadValueException("'" + ValueConverter.abbreviate(value) + "' is out of range for integer");
                    }
                    out.int4((int) number);
                } else {
                    converters[i].encode(value, out);
                }
            } catch (BadValueException e) {
                out.truncate(mark);
                return "column " + names[i] + ": " + e.getMessage();
            }
        }
        if (runId != null && fourByteLineage) {
            out.int4(Math.toIntExact(runId));
        } else if (runId != null) {
            out.int8(runId);
        }
        if (withRecordNumber) {
            out.int8(record.number());
        }
        return null;
    }
}
