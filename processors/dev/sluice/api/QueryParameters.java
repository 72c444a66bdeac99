package dev.sluice.api;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The query parameters of an API request (Camel hands them over as headers), read and checked:
 * anything malformed is a 400 that says which parameter and why.
 */
public final class QueryParameters {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}");
    public static final int MAX_PAGE_SIZE = 1000;

    private final Map<String, Object> values;

    public QueryParameters(Map<String, Object> values) {
        this.values = values;
    }

    public String text(String name) {
        Object value = values.get(name);
        if (value instanceof List<?> list) {
            throw new BadRequestException(name + ": given " + list.size() + " times, once expected");
        }
        String text = value == null ? null : value.toString().strip();
        return text == null || text.isEmpty() ? null : text;
    }

    /** A name-like value (source, dataset, parameter): letters, digits and . _ : / - only. */
    public String name(String name) {
        String value = text(name);
        if (value != null && !NAME.matcher(value).matches()) {
            throw new BadRequestException(name + ": '" + value + "' is not a valid name");
        }
        return value;
    }

    /** An instant (2025-06-19T12:00:00Z) or a date (2025-06-19, midnight UTC). */
    public Instant instant(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadRequestException(name + ": '" + value + "' is not a date (2025-06-19) or time (2025-06-19T12:00:00Z)");
        }
    }

    public long number(String name, long fallback, long min, long max) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n < min || n > max) {
                throw new BadRequestException(name + ": " + n + " is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequestException(name + ": '" + value + "' is not a whole number");
        }
    }

    /** One of the allowed values. */
    public String oneOf(String name, String fallback, List<String> allowed) {
        String value = text(name);
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            throw new BadRequestException(name + ": '" + value + "' is not one of " + allowed);
        }
        return value;
    }

    public Page page() {
        return new Page((int) number("page", 1, 1, Integer.MAX_VALUE), (int) number("size", 100, 1, MAX_PAGE_SIZE));
    }

    /** A 1-based page of {@code size} items. */
    public record Page(int page, int size) {
        public long offset() {
            return (long) (page - 1) * size;
        }
    }

    /** A path parameter that must be a positive id. */
    public static long id(Object value) {
        try {
            long id = Long.parseLong(String.valueOf(value));
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadRequestException("id: '" + value + "' is not a positive whole number");
    }
}
