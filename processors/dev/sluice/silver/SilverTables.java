package dev.sluice.silver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.dataset.DatasetDeclarations;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static dev.sluice.config.YamlFields.strings;
import static dev.sluice.config.YamlFields.text;

/** The silver tables declared in silver-tables.yaml. */
@ApplicationScoped
public class SilverTables {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final List<SilverTable> tables = new ArrayList<>();

    @PostConstruct
    void load() {
        try (InputStream in = SilverTables.class.getResourceAsStream("/silver-tables.yaml")) {
            tables.addAll(parse(in, "silver-tables.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read silver-tables.yaml", e);
        }
    }

    public List<SilverTable> all() {
        return List.copyOf(tables);
    }

    static List<SilverTable> parse(InputStream yaml, String origin) throws IOException {
        List<SilverTable> result = new ArrayList<>();
        for (JsonNode node : YAML.readTree(yaml).path("tables")) {
            String name = text(node, "name", null);
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(origin + ": silver table name '" + name + "' must be a lower-case identifier");
            }
            List<ColumnDefinition> columns = new ArrayList<>();
            node.path("columns").forEach(c -> columns.add(DatasetDeclarations.column(c, origin + ": silver table " + name)));
            SilverTable table = new SilverTable(name, strings(node.get("eventTypes")), text(node, "partitionBy", null), columns,
                    text(node.path("summary"), "countBy", null), strings(node.path("summary").get("stats")));
            SilverTable.check(table);
            result.add(table);
        }
        return result;
    }
}
