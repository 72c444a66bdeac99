package dev.sluice.ingest;

import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.DatasetDefinition;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CSV with a header line (RFC 4180 quoting, quoted fields may span lines). Columns are found by
 * header name, so their order in the file does not matter and extra columns are ignored. As in
 * PostgreSQL's CSV COPY, an unquoted empty field is null and a quoted empty field is an empty string.
 */
public final class CsvRecordReader implements RecordReader {

    private final LineReader lines;
    private final char delimiter;
    private final char quote;
    private final int maxRecordChars;
    private final int[] columnOf;
    private final int width;
    private final int columnCount;
    private final List<String> fields = new ArrayList<>();

    public CsvRecordReader(LineReader lines, DatasetDefinition dataset, char delimiter, int maxRecordChars) throws IOException {
        this.lines = lines;
        this.delimiter = delimiter;
        this.quote = dataset.quote();
        this.maxRecordChars = maxRecordChars;
        this.columnCount = dataset.columns().size();
        Line header = nonBlank();
        if (header == null) {
            throw new RejectedFileException("no header line: the file has no content");
        }
        if (header.error() != null) {
            throw new RejectedFileException("header line: " + header.error());
        }
        if (split(header.text()) == null) {
            throw new RejectedFileException("header line: unterminated quoted field");
        }
        this.width = fields.size();
        this.columnOf = new int[width];
        List<String> missing = new ArrayList<>();
        java.util.Arrays.fill(columnOf, -1);
        boolean any = false;
        for (int c = 0; c < columnCount; c++) {
            ColumnDefinition column = dataset.columns().get(c);
            int index = indexOf(column.field());
            if (index >= 0) {
                columnOf[index] = c;
                any = true;
            } else if (column.required()) {
                missing.add(column.field());
            }
        }
        if (!any) {
            throw new RejectedFileException("missing header: line " + header.number()
                    + " names none of the declared columns " + dataset.columns().stream().map(ColumnDefinition::field).toList());
        }
        if (!missing.isEmpty()) {
            throw new RejectedFileException("header line " + header.number() + " lacks required column(s) " + missing);
        }
    }

    private int indexOf(String field) {
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i);
            if (name != null && name.strip().toLowerCase(Locale.ROOT).equals(field.toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    private Line nonBlank() throws IOException {
        Line line;
        do {
            line = lines.next();
        } while (line != null && line.error() == null && line.text().isBlank());
        return line;
    }

    @Override
    public RawRecord next() throws IOException {
        Line line = nonBlank();
        if (line == null) {
            return null;
        }
        if (line.error() != null) {
            return RawRecord.bad(line.number(), line.text(), line.error());
        }
        String text = line.text();
        while (split(text) == null) {
            Line more = lines.next();
            if (more == null) {
                return RawRecord.bad(line.number(), text, "unterminated quoted field");
            }
            if (more.error() != null) {
                return RawRecord.bad(line.number(), text + "\n" + more.text(), "line " + more.number() + ": " + more.error());
            }
            text = text + "\n" + more.text();
            if (text.length() > maxRecordChars) {
                return RawRecord.bad(line.number(), text.substring(0, 1024), "record longer than " + maxRecordChars + " characters");
            }
        }
        if (fields.size() != width) {
            return RawRecord.bad(line.number(), text, "expected " + width + " fields, found " + fields.size());
        }
        String[] values = new String[columnCount];
        for (int i = 0; i < width; i++) {
            int column = columnOf[i];
            if (column >= 0) {
                values[column] = fields.get(i);
            }
        }
        return new RawRecord(line.number(), text, values, null);
    }

    /** Splits one record into {@link #fields}; returns null if a quoted field is still open at the end. */
    List<String> split(String text) {
        fields.clear();
        int length = text.length();
        if (text.indexOf(quote) < 0) {
            int start = 0;
            for (int i = 0; i <= length; i++) {
                if (i == length || text.charAt(i) == delimiter) {
                    fields.add(i == start ? null : text.substring(start, i));
                    start = i + 1;
                }
            }
            return fields;
        }
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            field.setLength(0);
            boolean quoted = false;
            if (i < length && text.charAt(i) == quote) {
                quoted = true;
                i++;
                while (true) {
                    if (i >= length) {
                        return null;
                    }
                    char c = text.charAt(i++);
                    if (c == quote) {
                        if (i < length && text.charAt(i) == quote) {
                            field.append(quote);
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
            }
            while (i < length && text.charAt(i) != delimiter) {
                field.append(text.charAt(i++));
            }
            fields.add(field.length() == 0 && !quoted ? null : field.toString());
            if (i >= length) {
                return fields;
            }
            i++;
        }
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
