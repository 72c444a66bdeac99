package dev.sluice.bucket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import static dev.sluice.config.YamlFields.strings;
import static dev.sluice.config.YamlFields.text;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.sources.Sources;
import org.eclipse.microprofile.config.Config;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reads one bucket source declaration (type: bucket) and checks it, naming the file and field of any mistake. */
public final class BucketSourceDeclarations {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private BucketSourceDeclarations() {
    }

    public static BucketSource parse(InputStream yaml, String origin) {
        try {
            return parse(YAML.readTree(yaml), origin);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    /**
     * One declaration as Sluice runs it: enabled as sluice.sources.enabled says (when set), and its
     * upstream reached through sluice.sources.endpoint (when set: a mirror, MinIO, tests).
     */
    public static BucketSource read(JsonNode node, String origin, Config config) {
        BucketSource s = parse(node, origin);
        boolean enabled = Sources.enabled(node, s.name(), config);
        String endpoint = config.getOptionalValue("sluice.sources.endpoint", String.class).filter(e -> !e.isBlank()).orElse(Sources.expand(s.endpoint(), config));
        return new BucketSource(s.name(), s.description(), enabled, s.bucket(), s.region(), s.anonymous(), endpoint,
                s.schedule(), s.period(), s.availabilityDelay(), s.lookBack(), s.keys(), s.forecastHours(), s.bands(),
                s.products(), s.include(), s.exclude(), s.parameters(), s.retention());
    }

    static BucketSource parse(JsonNode node, String origin) {
        String name = text(node, "name", null);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(origin + ": name '" + name + "' must be lower-case letters, digits and '-'");
        }
        String where = origin + " (" + name + ")";
        String bucket = required(node, "bucket", where);
        String schedule = required(node, "schedule", where);
        if (schedule.trim().split("\\s+").length != 5) {
            throw new IllegalArgumentException(where + ": schedule '" + schedule
                    + "' must be a 5-field cron (minute hour day month weekday): seconds are always 0");
        }
        List<KeyTemplate> keys = new ArrayList<>();
        node.path("keys").forEach(k -> keys.add(new KeyTemplate(k.asText())));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(where + ": no key templates ('keys')");
        }
        return new BucketSource(name, text(node, "description", ""), node.path("enabled").asBoolean(false), bucket,
                text(node, "region", "us-east-1"), node.path("anonymous").asBoolean(true), text(node, "endpoint", null),
                schedule, duration(node, "period", "1h", where), duration(node, "availabilityDelay", "0m", where),
                duration(node, "lookBack", "0m", where), keys, hours(text(node, "forecastHours", ""), where),
                strings(node.get("bands")), strings(node.get("products")),
                strings(node.get("include")).stream().map(Pattern::compile).toList(),
                strings(node.get("exclude")).stream().map(Pattern::compile).toList(),
                strings(node.get("parameters")),
                node.hasNonNull("retention") ? duration(node, "retention", null, where) : null);
    }

    /** "500ms", "30s", "2m", "6h", "7d". */
    public static Duration duration(String text) {
        return dev.sluice.config.YamlFields.duration(text);
    }

    private static Duration duration(JsonNode node, String field, String fallback, String where) {
        String value = text(node, field, fallback);
        try {
            return duration(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": " + field + " '" + value + "' is not a duration like 30s, 2m, 6h or 7d");
        }
    }

    /** "0-12/3,24,48" → 0,3,6,9,12,24,48. */
    static List<Integer> hours(String spec, String where) {
        List<Integer> hours = new ArrayList<>();
        if (spec.isBlank()) {
            return hours;
        }
        try {
            for (String part : spec.split(",")) {
                String[] stepped = part.strip().split("/");
                int step = stepped.length > 1 ? Integer.parseInt(stepped[1]) : 1;
                String[] range = stepped[0].split("-");
                int from = Integer.parseInt(range[0].strip());
                int to = range.length > 1 ? Integer.parseInt(range[1].strip()) : from;
                for (int h = from; h <= to; h += step) {
                    hours.add(h);
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": forecastHours '" + spec + "' is not like 0-12/3,24,48");
        }
        return hours;
    }

    private static String required(JsonNode node, String field, String where) {
        String value = text(node, field, null);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(where + ": '" + field + "' is required");
        }
        return value;
    }


}
