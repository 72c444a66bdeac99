package dev.sluice.dataset;

import java.nio.charset.Charset;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A dataset declared in configuration: which files feed it, how they are read and where rows go.
 *
 * @param name        dataset name, used in archive keys, ledger and runs
 * @param files       glob patterns matched against a file's name
 * @param format      "csv", "ndjson", "json", "xlsx", or null to decide by extension
 * @param delimiter   CSV field separator
 * @param quote       CSV quote character
 * @param encoding    character set of the files
 * @param table       target table
 * @param naturalKey  columns that identify a row; a later file with the same key updates it
 * @param columns     declared columns in table order
 * @param sheetNameColumn XLSX: the column whose value is each sheet's name (one sheet per gauge), or null
 * @param retention   how long its raw archives and rows are kept (fields null = forever)
 * @param writable    whether the datasets API accepts POST/PUT/DELETE of its rows ({@code writable: true})
 */
public record DatasetDefinition(String name, String description, List<String> files, String format, char delimiter,
                                char quote, Charset encoding, String table, List<String> naturalKey,
                                List<ColumnDefinition> columns, String sheetNameColumn, Retention retention,
                                boolean writable) {

    /**
     * @param raw        archived originals (raw/&lt;dataset&gt;/…) older than this are deleted, or null
     * @param rows       rows whose {@code rowsColumn} is older than this are deleted, or null
     * @param rowsColumn a timestamp column of the dataset
     */
    public record Retention(Duration raw, Duration rows, String rowsColumn) {
        public static final Retention FOREVER = new Retention(null, null, null);
    }

    public boolean matches(String fileName) {
        Path path = Path.of(fileName);
        return files.stream().anyMatch(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob).matches(path));
    }

    /** The format a given file is read in: the declared one, else its extension's. */
    public String formatOf(String fileName) {
        if (format != null) {
            return format;
        }
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) {
            return "ndjson";
        }
        if (lower.endsWith(".json")) {
            return "json";
        }
        if (lower.endsWith(".xlsx")) {
            return "xlsx";
        }
        return "csv";
    }

    /** The delimiter for a file: tab for .tsv unless one is declared. */
    public char delimiterOf(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".tsv") && delimiter == ',' ? '\t' : delimiter;
    }

    public List<String> columnNames() {
        return columns.stream().map(ColumnDefinition::name).toList();
    }
}
