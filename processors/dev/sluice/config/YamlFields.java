package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Reading optional fields of the YAML declarations (datasets, sources). */
public final class YamlFields {

    private YamlFields() {
    }

    public static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    /** A list of strings; a single value counts as a list of one. */
    public static List<String> strings(JsonNode node) {
        List<String> result = new ArrayList<>();
        if (node != null && !node.isNull()) {
            if (node.isArray()) {
                node.forEach(n -> result.add(n.asText()));
            } else {
                result.add(node.asText());
            }
        }
        return result;
    }
}
