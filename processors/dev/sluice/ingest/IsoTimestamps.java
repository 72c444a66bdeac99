package dev.sluice.ingest;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * A hand-written parser for the ISO-8601 shapes almost every data file uses —
 * {@code yyyy-MM-dd}, then optionally {@code ( |T)HH:mm[:ss[.fraction]]}, then optionally an offset
 * ({@code Z}, {@code ±HH:MM}, {@code ±HHMM}, {@code ±HH}) — about ten times faster than a
 * DateTimeFormatter with optional sections, which matters at millions of rows per file.
 */
final class IsoTimestamps {

    private final ZoneRules zone;
    private final ZoneOffset fixedOffset;
    // rows mostly arrive in time order: the offset of the last hour seen is usually the next one's
    private long cachedHour = Long.MIN_VALUE;
    private ZoneOffset cachedOffset;

    IsoTimestamps(ZoneRules zone) {
        this.zone = zone;
        this.fixedOffset = zone.isFixedOffset() ? zone.getOffset(java.time.Instant.EPOCH) : null;
    }

    /** The PostgreSQL text of the value, or null if it is not of this shape or not a real date/time. */
    String convert(String value) {
        int n = value.length();
        if (n < 10 || value.charAt(4) != '-' || value.charAt(7) != '-') {
            return null;
        }
        int year = digits(value, 0, 4);
        int month = digits(value, 5, 2);
        int day = digits(value, 8, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        int hour = 0;
        int minute = 0;
        int second = 0;
        int i = 10;
        int fractionStart = -1;
        int fractionEnd = -1;
        if (i < n && (value.charAt(i) == ' ' || value.charAt(i) == 'T')) {
            if (n < i + 6 || value.charAt(i + 3) != ':') {
                return null;
            }
            hour = digits(value, i + 1, 2);
            minute = digits(value, i + 4, 2);
            i += 6;
            if (i < n && value.charAt(i) == ':') {
                second = digits(value, i + 1, 2);
                i += 3;
                if (i <= n && i < n && value.charAt(i) == '.') {
                    fractionStart = ++i;
                    while (i < n && Character.isDigit(value.charAt(i))) {
                        i++;
                    }
                    fractionEnd = i;
                    if (fractionEnd == fractionStart || fractionEnd - fractionStart > 9) {
                        return null;
                    }
                }
            }
            if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || i > n) {
                return null;
            }
        }
        ZoneOffset offset;
        if (i == n) {
            offset = offsetOf(year, month, day, hour, minute);
        } else {
            offset = parseOffset(value, i);
            if (offset == null) {
                return null;
            }
        }
        StringBuilder out = new StringBuilder(32).append(value, 0, 10).append(' ');
        two(out, hour).append(':');
        two(out, minute).append(':');
        two(out, second);
        if (fractionStart > 0) {
            out.append('.').append(value, fractionStart, fractionEnd);
        }
        String id = offset.getId();
        return out.append("Z".equals(id) ? "+00:00" : id).toString();
    }

    private ZoneOffset offsetOf(int year, int month, int day, int hour, int minute) {
        if (fixedOffset != null) {
            return fixedOffset;
        }
        long key = ((year * 13L + month) * 32 + day) * 24 + hour;
        if (key != cachedHour) {
            // an hour is the finest unit a zone's offset changes at in practice; a 30-minute shift
            // (Lord Howe) is taken at the minute below, never cached
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute);
            ZoneOffset offset = zone.getOffset(local);
            if (!zone.getOffset(local.withMinute(0)).equals(offset) || !zone.getOffset(local.withMinute(59)).equals(offset)) {
                return offset;
            }
            cachedHour = key;
            cachedOffset = offset;
        }
        return cachedOffset;
    }

    private static ZoneOffset parseOffset(String value, int i) {
        int n = value.length();
        char sign = value.charAt(i);
        if (sign == 'Z' && i + 1 == n) {
            return ZoneOffset.UTC;
        }
        if (sign != '+' && sign != '-') {
            return null;
        }
        int hours = digits(value, i + 1, 2);
        int minutes = 0;
        int rest = n - (i + 3);
        if (rest == 3 && value.charAt(i + 3) == ':') {
            minutes = digits(value, i + 4, 2);
        } else if (rest == 2) {
            minutes = digits(value, i + 3, 2);
        } else if (rest != 0) {
            return null;
        }
        if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) {
            return null;
        }
        int seconds = (hours * 3600 + minutes * 60) * (sign == '-' ? -1 : 1);
        return ZoneOffset.ofTotalSeconds(seconds);
    }

    /** The decimal number in value[start, start+count), or -1 if any is not a digit or out of bounds. */
    private static int digits(String value, int start, int count) {
        if (start + count > value.length()) {
            return -1;
        }
        int result = 0;
        for (int i = start; i < start + count; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            result = result * 10 + (c - '0');
        }
        return result;
    }

    private static StringBuilder two(StringBuilder s, int value) {
        return (value < 10 ? s.append('0') : s).append(value);
    }
}
