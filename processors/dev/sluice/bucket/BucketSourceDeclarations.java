package dev.sluice.bucket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import static dev.sluice.config.YamlFields.strings;
import static dev.sluice.config.YamlFields.text;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Binds the parameters of one sluice-bucket-source Kamelet (a source's route file) into the source it
 * declares, and checks them, naming the route and the parameter of any mistake. Also turns a
 * declaration of the old format (src/main/resources/sources/*.yaml, type: bucket) into the route
 * file that replaces it.
 */
public final class BucketSourceDeclarations {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** The Kamelet's parameters that hold comma-separated lists. */
    private static final List<String> LISTS = List.of("keys", "bands", "products", "include", "exclude", "parameters");

    private BucketSourceDeclarations() {
    }

    /**
     * The source a sluice-bucket-source's parameters declare, its upstream reached through
     * sluice.sources.endpoint when that is set (a mirror, MinIO, tests).
     */
    public static BucketSource fromParameters(Map<String, ?> parameters, String origin, Config config) {
        ObjectNode node = JSON.createObjectNode();
        parameters.forEach((key, value) -> {
            if (value == null) {
                return;
            }
            String text = value.toString();
            if (LISTS.contains(key)) {
                ArrayNode list = node.putArray(key);
                Arrays.stream(text.split(",")).map(String::strip).filter(v -> !v.isEmpty()).forEach(list::add);
            } else if (!text.isBlank()) {
                node.put(key, text);
            }
        });
        node.put("name", node.path("source").asText(null));
        BucketSource s = parse(node, origin);
        String endpoint = config.getOptionalValue("sluice.sources.endpoint", String.class).filter(e -> !e.isBlank()).orElse(s.endpoint());
        return new BucketSource(s.name(), s.description(), true, s.bucket(), s.region(), s.anonymous(), endpoint,
                s.schedule(), s.period(), s.availabilityDelay(), s.lookBack(), s.keys(), s.forecastHours(), s.bands(),
                s.products(), s.include(), s.exclude(), s.parameters(), s.retention());
    }

    static BucketSource parse(JsonNode node, String origin) {
        String name = text(node, "name", null);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(origin + ": source '" + name + "' must be lower-case letters, digits and '-'");
        }
        String where = origin + " (" + name + ")";
        String bucket = required(node, "bucket", where);
        String schedule = required(node, "schedule", where);
        if (!org.quartz.CronExpression.isValidExpression(schedule)) {
            throw new IllegalArgumentException(where + ": schedule '" + schedule
                    + "' is not a cron expression as Camel's cron component takes it (seconds first, '?' in one day field: 0 */2 * * * ?)");
        }
        List<KeyTemplate> keys = new ArrayList<>();
        node.path("keys").forEach(k -> keys.add(new KeyTemplate(k.asText())));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(where + ": no key templates ('keys')");
        }
        return new BucketSource(name, text(node, "description", ""), true, bucket,
                text(node, "region", "us-east-1"), Boolean.parseBoolean(text(node, "anonymous", "true")), text(node, "endpoint", null),
                schedule, duration(node, "period", "1h", where), duration(node, "availabilityDelay", "0m", where),
                duration(node, "lookBack", "0m", where), keys, hours(text(node, "forecastHours", ""), where),
                strings(node.get("bands")), strings(node.get("products")),
                strings(node.get("include")).stream().map(Pattern::compile).toList(),
                strings(node.get("exclude")).stream().map(Pattern::compile).toList(),
                strings(node.get("parameters")),
                node.hasNonNull("retention") ? duration(node, "retention", null, where) : null);
    }

    /**
     * The route file that replaces a declaration of the old format (type: bucket): the same source as a
     * sluice-bucket-source route, its 5-field schedule in the cron component's form.
     */
    public static String routeFile(JsonNode old) {
        String name = text(old, "name", "my-source");
        StringBuilder file = new StringBuilder();
        file.append("- route:\n    id: ingest-").append(name).append("\n    from:\n      uri: \"kamelet:sluice-bucket-source/")
                .append(name).append("-poll\"\n      parameters:\n        source: ").append(name).append('\n');
        for (String field : List.of("description", "bucket", "region", "anonymous", "endpoint", "schedule", "period",
                "availabilityDelay", "lookBack", "keys", "forecastHours", "bands", "products", "include", "exclude",
                "parameters", "retention")) {
            JsonNode value = old.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            String text = value.isArray() ? String.join(",", strings(value)) : value.asText();
            if ("schedule".equals(field) && text.trim().split("\\s+").length == 5) {
                text = CronSchedules.toQuartz(text);
            }
            file.append("        ").append(field).append(": ").append(JSON.valueToTree(text).toString()).append('\n');
        }
        return file.append("      steps:\n        - kamelet:\n            name: \"sluice-object-copy-action/").append(name).append("-copy\"\n")
                .append("        - to: \"kamelet:sluice-catalog-sink/").append(name).append("-catalogue\"\n").toString();
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
