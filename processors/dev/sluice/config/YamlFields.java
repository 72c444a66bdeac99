package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;
import java.util.List;

/** Reading optional fields of the YAML declarations (datasets, sources). */
public final class YamlFields {

    private YamlFields() {
    }

    public static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    /** "500ms", "30s", "2m", "6h", "7d". */
    public static Duration duration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 30s, 2m, 6h or 7d");
        }
    }

    /** The shortest "7d", "6h", "30m", "45s" or "500ms" form of a duration (the form declarations use). */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
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
