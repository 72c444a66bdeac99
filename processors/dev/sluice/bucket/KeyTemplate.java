package dev.sluice.bucket;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream key layout such as {@code gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}}.
 *
 * <p>Time variables ({@code yyyy mm dd HH ddd}) come from the period being polled; {@code fff}/{@code ff}
 * (forecast hour), {@code band} and {@code product} are enumerated from the source's lists;
 * {@code MM}, {@code SS} (2 digits), {@code t} (1 digit) and {@code *} (anything but '/') are free.
 * Expanding gives the ListObjectsV2 prefix (everything before the first free part) and the exact
 * pattern keys must match; parsing a key gives back the variables for the catalog.
 */
public final class KeyTemplate {

    private static final Pattern TOKEN = Pattern.compile("\\{(\\w+)}|\\*");

    private record Part(String literal, String variable) {
    }

    private final String text;
    private final List<Part> parts = new ArrayList<>();
    private final Pattern parser;

    public KeyTemplate(String text) {
        this.text = text;
        Matcher m = TOKEN.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                parts.add(new Part(text.substring(last, m.start()), null));
            }
            String variable = m.group(1) == null ? "*" : m.group(1);
            if (!variable.equals("*") && patternOf(variable) == null) {
                throw new IllegalArgumentException("key template '" + text + "': unknown variable {" + variable + "}");
            }
            parts.add(new Part(null, variable));
            last = m.end();
        }
        if (last < text.length()) {
            parts.add(new Part(text.substring(last), null));
        }
        // the last occurrence of each variable is captured (file names carry the precise times)
        Map<String, Integer> lastIndex = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).variable() != null) {
                lastIndex.put(parts.get(i).variable(), i);
            }
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            if (part.literal() != null) {
                regex.append(Pattern.quote(part.literal()));
            } else if (!part.variable().equals("*") && lastIndex.get(part.variable()) == i) {
                regex.append("(?<").append(part.variable()).append('>').append(patternOf(part.variable())).append(')');
            } else {
                regex.append(patternOf(part.variable()));
            }
        }
        this.parser = Pattern.compile(regex.toString());
    }

    public String text() {
        return text;
    }

    public boolean uses(String variable) {
        return parts.stream().anyMatch(p -> variable.equals(p.variable()));
    }

    /** Variables of a matching key, or null if the key does not have this layout. */
    public Map<String, String> parse(String key) {
        Matcher m = parser.matcher(key);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Part part : parts) {
            String variable = part.variable();
            if (variable != null && !variable.equals("*") && !values.containsKey(variable)) {
                values.put(variable, m.group(variable));
            }
        }
        return values;
    }

    /**
     * The listing for one period and one choice of the enumerated variables.
     *
     * @param prefix  literal start of every matching key
     * @param pattern full-key pattern
     */
    public record Listing(String prefix, Pattern pattern) {
    }

    public Listing expand(ZonedDateTime period, Map<String, String> enumerated) {
        StringBuilder prefix = new StringBuilder();
        StringBuilder regex = new StringBuilder();
        boolean open = true;
        for (Part part : parts) {
            String value = part.literal() != null ? part.literal() : valueOf(part.variable(), period, enumerated);
            if (value != null) {
                regex.append(Pattern.quote(value));
                if (open) {
                    prefix.append(value);
                }
            } else {
                regex.append(patternOf(part.variable()));
                open = false;
            }
        }
        return new Listing(prefix.toString(), Pattern.compile(regex.toString()));
    }

    private static String valueOf(String variable, ZonedDateTime t, Map<String, String> enumerated) {
        return switch (variable) {
            case "yyyy" -> "%04d".formatted(t.getYear());
            case "mm" -> "%02d".formatted(t.getMonthValue());
            case "dd" -> "%02d".formatted(t.getDayOfMonth());
            case "HH" -> "%02d".formatted(t.getHour());
            case "ddd" -> "%03d".formatted(t.getDayOfYear());
            case "fff", "ff", "band", "product" -> enumerated.get(variable);
            default -> null;
        };
    }

    private static String patternOf(String variable) {
        return switch (variable) {
            case "yyyy" -> "\\d{4}";
            case "mm", "dd", "HH", "MM", "SS", "ff" -> "\\d{2}";
            case "ddd", "fff" -> "\\d{3}";
            case "t" -> "\\d";
            case "band", "product", "*" -> "[^/]*?";
            default -> null;
        };
    }
}
