package dev.sluice.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.YamlFields;
import static dev.sluice.config.YamlFields.strings;
import static dev.sluice.config.YamlFields.text;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads dataset declarations from YAML and checks them, so a typo fails at startup, not at the first file. */
public final class DatasetDeclarations {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SQL_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private DatasetDeclarations() {
    }

    /** Parses a document holding either {@code datasets: [...]} or one dataset. */
    public static List<DatasetDefinition> parse(InputStream yaml, String origin) {
        try {
            JsonNode root = YAML.readTree(yaml);
            List<DatasetDefinition> result = new ArrayList<>();
            if (root == null) {
                return result;
            }
            JsonNode list = root.has("datasets") ? root.get("datasets") : root;
            if (list.isArray()) {
                list.forEach(node -> result.add(dataset(node, origin)));
            } else {
                result.add(dataset(list, origin));
            }
            return result;
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    private static DatasetDefinition dataset(JsonNode node, String origin) {
        String name = text(node, "name", null);
        String where = origin + ": dataset '" + name + "'";
        if (name == null) {
            throw new IllegalArgumentException(origin + ": a dataset has no name");
        }
        List<String> files = strings(node.get("files"));
        if (files.isEmpty()) {
            throw new IllegalArgumentException(where + " declares no file patterns ('files')");
        }
        String format = text(node, "format", null);
        if (format != null && !Set.of("csv", "ndjson", "json", "xlsx").contains(format)) {
            throw new IllegalArgumentException(where + ": format must be csv, ndjson, json or xlsx, not '" + format + "'");
        }
        JsonNode csv = node.path("csv");
        String table = sqlName(text(node, "table", null), where + " table");
        List<ColumnDefinition> columns = new ArrayList<>();
        node.path("columns").forEach(column -> columns.add(column(column, where)));
        if (columns.isEmpty()) {
            throw new IllegalArgumentException(where + " declares no columns");
        }
        List<String> key = strings(node.get("naturalKey"));
        if (key.isEmpty()) {
            throw new IllegalArgumentException(where + " declares no naturalKey");
        }
        List<String> names = columns.stream().map(ColumnDefinition::name).toList();
        for (String k : key) {
            if (!names.contains(k)) {
                throw new IllegalArgumentException(where + ": naturalKey column '" + k + "' is not a declared column");
            }
        }
        // key columns can never be empty: a row without its identity cannot be upserted
        List<ColumnDefinition> keyed = columns.stream()
                .map(c -> key.contains(c.name()) && !c.required()
                        ? new ColumnDefinition(c.name(), c.field(), c.type(), true, c.maxLength(), c.precision(), c.scale(), c.format(), c.zone())
                        : c)
                .toList();
        String sheetNameColumn = text(node.path("xlsx"), "sheetNameColumn", null);
        if (sheetNameColumn != null && !names.contains(sheetNameColumn)) {
            throw new IllegalArgumentException(where + ": xlsx.sheetNameColumn '" + sheetNameColumn + "' is not a declared column");
        }
        return new DatasetDefinition(name, text(node, "description", ""), files, format,
                singleChar(csv, "delimiter", ',', where), singleChar(csv, "quote", '"', where),
                Charset.forName(text(csv, "encoding", "UTF-8")), table, key, keyed, sheetNameColumn,
                retention(node.path("retention"), columns, where), node.path("writable").asBoolean(false));
    }

    /** retention: {raw: 90d, rows: 3650d, rowsBy: observed_at}; absent parts mean kept forever. */
    private static DatasetDefinition.Retention retention(JsonNode node, List<ColumnDefinition> columns, String where) {
        if (node.isMissingNode() || node.isNull()) {
            return DatasetDefinition.Retention.FOREVER;
        }
        try {
            String raw = text(node, "raw", null);
            String rows = text(node, "rows", null);
            String rowsBy = text(node, "rowsBy", null);
            if (rows != null) {
                boolean timestampColumn = columns.stream()
                        .anyMatch(c -> c.name().equals(rowsBy) && c.type() == ColumnType.TIMESTAMP);
                if (!timestampColumn) {
                    throw new IllegalArgumentException("retention.rowsBy must name a timestamp column, not '" + rowsBy + "'");
                }
            }
            return new DatasetDefinition.Retention(raw == null ? null : YamlFields.duration(raw),
                    rows == null ? null : YamlFields.duration(rows), rows == null ? null : rowsBy);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** One declared column (also used by silver table declarations). */
    public static ColumnDefinition column(JsonNode node, String where) {
        String name = sqlName(text(node, "name", null), where + " column");
        ColumnType type = ColumnType.of(text(node, "type", "text"));
        String format = text(node, "format", null);
        String zone = text(node, "zone", "UTC");
        if (type == ColumnType.TIMESTAMP) {
            try {
                java.time.ZoneId.of(zone);
                if (!"iso".equalsIgnoreCase(format)) {
                    java.time.format.DateTimeFormatter.ofPattern(format == null ? "yyyy-MM-dd'T'HH:mm:ssXXX" : format);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + " column '" + name + "': " + e.getMessage(), e);
            }
        }
        return new ColumnDefinition(name, text(node, "field", name), type, node.path("required").asBoolean(true),
                node.path("maxLength").asInt(0), node.path("precision").asInt(0), node.path("scale").asInt(0),
                format, zone);
    }

    private static String sqlName(String name, String what) {
        if (name == null || !SQL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name + "' must be a lower-case SQL identifier");
        }
        return name;
    }

    private static char singleChar(JsonNode node, String field, char fallback, String where) {
        String value = text(node, field, null);
        if (value == null) {
            return fallback;
        }
        if (value.length() != 1) {
            throw new IllegalArgumentException(where + ": csv." + field + " must be one character");
        }
        return value.charAt(0);
    }


}
