package dev.sluice.http;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The periods an HTTP source publishes files for, and its URL templates. A water year N runs from
 * October 1 of N−1 to September 30 of N (the rain-gauge district's unit); years and months are as
 * usual. Periods are written "2024" (water year or year) or "2024-03" (month).
 */
public final class Periods {

    private static final Pattern VARIABLE = Pattern.compile("\\{(\\w+)}");
    private static final Pattern YEAR = Pattern.compile("[12]\\d{3}");
    private static final Pattern MONTH = Pattern.compile("[12]\\d{3}-(0[1-9]|1[0-2])");
    /** letters, digits, space, . _ - (no '/', no "..", no leading or trailing space), at most 64 */
    private static final Pattern GAUGE = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-])?");

    /** LATEST: one resource that is simply re-fetched (a dataset index); its only period is "latest". */
    public enum Kind { WATER_YEAR, YEAR, MONTH, LATEST, GAUGE }

    private Periods() {
    }

    /**
     * {@code period} as a source of this kind writes it; anything else (a path, a date of another
     * kind, an over-long value) is an IllegalArgumentException saying what is expected. A period
     * becomes part of a URL and of an object key, so nothing else gets that far.
     */
    public static String validate(Kind kind, String period) {
        boolean valid = period != null && switch (kind) {
            case WATER_YEAR, YEAR -> YEAR.matcher(period).matches();
            case MONTH -> MONTH.matcher(period).matches();
            case LATEST -> period.equals("latest");
            case GAUGE -> GAUGE.matcher(period).matches() && !period.contains("..");
        };
        if (!valid) {
            throw new IllegalArgumentException("'" + period + "' is not " + expected(kind));
        }
        return period;
    }

    /** What a period of this kind looks like, for messages. */
    public static String expected(Kind kind) {
        return switch (kind) {
            case WATER_YEAR -> "a water year like 2024";
            case YEAR -> "a year like 2024";
            case MONTH -> "a month like 2024-03";
            case LATEST -> "'latest' (the source has one resource)";
            case GAUGE -> "a gauge id (letters, digits, space, . _ -; at most 64)";
        };
    }

    public static int waterYearOf(LocalDate day) {
        return day.getMonthValue() >= 10 ? day.getYear() + 1 : day.getYear();
    }

    /** First and last day of water year {@code waterYear}. */
    public static LocalDate[] waterYearDays(int waterYear) {
        return new LocalDate[] {LocalDate.of(waterYear - 1, 10, 1), LocalDate.of(waterYear, 9, 30)};
    }

    public static String current(Kind kind, LocalDate today) {
        return switch (kind) {
            case WATER_YEAR -> String.valueOf(waterYearOf(today));
            case YEAR -> String.valueOf(today.getYear());
            case MONTH -> YearMonth.from(today).toString();
            case LATEST -> "latest";
            case GAUGE -> throw new IllegalArgumentException("a per-gauge source has no current period: its periods are the known gauges");
        };
    }

    public static String previous(Kind kind, String period) {
        return switch (kind) {
            case MONTH -> YearMonth.parse(period).minusMonths(1).toString();
            case LATEST -> "latest";
            default -> String.valueOf(Integer.parseInt(period) - 1);
        };
    }

    /** Every period from {@code from} to {@code to}, both included, oldest first. */
    public static List<String> between(Kind kind, String from, String to) {
        List<String> periods = new ArrayList<>();
        if (kind == Kind.GAUGE) {
            throw new IllegalArgumentException("a per-gauge source has no range of periods: its periods are the known gauges");
        } else if (kind == Kind.LATEST) {
            periods.add("latest");
        } else if (kind == Kind.MONTH) {
            for (YearMonth m = YearMonth.parse(from); !m.isAfter(YearMonth.parse(to)); m = m.plusMonths(1)) {
                periods.add(m.toString());
            }
        } else {
            for (int y = Integer.parseInt(from); y <= Integer.parseInt(to); y++) {
                periods.add(String.valueOf(y));
            }
        }
        return periods;
    }

    /** The template variables one period stands for: {water_year} or {yyyy}, and {mm} for months. */
    public static Map<String, String> variables(Kind kind, String period) {
        return switch (kind) {
            case WATER_YEAR -> Map.of("water_year", period, "yyyy", period);
            case YEAR -> Map.of("yyyy", period);
            case MONTH -> Map.of("yyyy", period.substring(0, 4), "mm", period.substring(5, 7));
            case LATEST -> Map.of();
            case GAUGE -> Map.of("gauge_id", period);
        };
    }

    /** Fills {variables} in a URL template; a variable without a value is an error, not an empty string. */
    public static String expand(String template, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("'" + template + "': no value for {" + m.group(1) + "}");
            }
            // form encoding writes spaces as '+'; in a path they are %20 (a literal '+' is already %2B)
            String encoded = java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
            m.appendReplacement(out, Matcher.quoteReplacement(encoded));
        }
        m.appendTail(out);
        return out.toString();
    }
}
