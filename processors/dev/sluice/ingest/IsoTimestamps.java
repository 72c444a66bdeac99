package dev.sluice.ingest;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
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
    // rows mostly arrive in time order: the offset of the last value is the next one's until the zone's
    // next transition. The local times [offsetFrom, offsetUntil) (seconds since 1970-01-01T00:00 local)
    // all have cachedOffset, and only it: no gap or overlap of a transition lies within them.
    private long offsetFrom = Long.MAX_VALUE;
    private long offsetUntil = Long.MIN_VALUE;
    private ZoneOffset cachedOffset;

    IsoTimestamps(ZoneRules zone) {
        this.zone = zone;
        this.fixedOffset = zone.isFixedOffset() ? zone.getOffset(java.time.Instant.EPOCH) : null;
    }

    // the last value parsed (see parse)
    private int year;
    private int month;
    private int day;
    private int hour;
    private int minute;
    private int second;
    private int fractionStart;
    private int fractionEnd;
    private ZoneOffset offset;

    /** The PostgreSQL text of the value, or null if it is not of this shape or not a real date/time. */
    String convert(String value) {
        if (!parse(value)) {
            return null;
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

    /**
     * The value as PostgreSQL stores a timestamptz (microseconds since 2000-01-01 00:00 UTC), or
     * {@link Long#MIN_VALUE} if it is not of this shape or not a real date/time. A fraction finer than a
     * microsecond is rounded as PostgreSQL rounds it when it parses the same text.
     */
    long micros(String value) {
        if (!parse(value)) {
            return Long.MIN_VALUE;
        }
        long seconds = daysFromCivil(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second
                       - offset.getTotalSeconds() - BinaryCopyBuffer.POSTGRES_EPOCH_SECONDS;
        long fraction = 0;
        if (fractionStart > 0) {
            int digits = fractionEnd - fractionStart;
            if (digits <= 6) {
                for (int i = fractionStart; i < fractionStart + 6; i++) {
                    fraction = fraction * 10 + (i < fractionEnd ? value.charAt(i) - '0' : 0);
                }
            } else {
                // PostgreSQL: rint(strtod("0.<digits>") * 1e6); Java's parse and rint round the same way
                fraction = (long) Math.rint(Double.parseDouble("0." + value.substring(fractionStart, fractionEnd)) * 1_000_000);
            }
        }
        return seconds * 1_000_000L + fraction;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long daysFromCivil(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static int lengthOfMonth(int year, int month) {
        if (month == 2) {
            return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** Parses the value into the fields above; false if it is not of this shape or not a real date/time. */
    private boolean parse(String value) {
        int n = value.length();
        if (n < 10 || value.charAt(4) != '-' || value.charAt(7) != '-') {
            return false;
        }
        year = digits(value, 0, 4);
        month = digits(value, 5, 2);
        day = digits(value, 8, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)) {
            return false;
        }
        hour = 0;
        minute = 0;
        second = 0;
        int i = 10;
        fractionStart = -1;
        fractionEnd = -1;
        if (i < n && (value.charAt(i) == ' ' || value.charAt(i) == 'T')) {
            if (n < i + 6 || value.charAt(i + 3) != ':') {
                return false;
            }
            hour = digits(value, i + 1, 2);
            minute = digits(value, i + 4, 2);
            i += 6;
            if (i < n && value.charAt(i) == ':') {
                second = digits(value, i + 1, 2);
                i += 3;
                if (i <= n && i < n && value.charAt(i) == '.') {
                    fractionStart = ++i;
                    while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                        i++;
                    }
                    fractionEnd = i;
                    if (fractionEnd == fractionStart || fractionEnd - fractionStart > 9) {
                        return false;
                    }
                }
            }
            if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || i > n) {
                return false;
            }
        }
        if (i == n) {
            offset = offsetOf(daysFromCivil(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second);
        } else {
            offset = parseOffset(value, i);
            if (offset == null) {
                return false;
            }
        }
        return true;
    }

    /** The declared zone's offset at this local time (seconds since 1970-01-01T00:00 local), as {@link ZoneRules#getOffset(LocalDateTime)} has it. */
    private ZoneOffset offsetOf(long localSeconds) {
        if (fixedOffset != null) {
            return fixedOffset;
        }
        if (localSeconds >= offsetFrom && localSeconds < offsetUntil) {
            return cachedOffset;
        }
        // in a gap (clocks forward) the offset before it, in an overlap (clocks back) the earlier one
        ZoneOffset offset = zone.getOffset(LocalDateTime.ofEpochSecond(localSeconds, 0, ZoneOffset.UTC));
        Instant at = Instant.ofEpochSecond(localSeconds - offset.getTotalSeconds());
        ZoneOffsetTransition previous = zone.previousTransition(at.plusSeconds(1));
        ZoneOffsetTransition next = zone.nextTransition(at);
        // the offset holds for the local times between the previous transition's gap or overlap and the next one's
        long from = previous == null ? Long.MIN_VALUE : previous.toEpochSecond() + Math.max(
                previous.getOffsetBefore().getTotalSeconds(), previous.getOffsetAfter().getTotalSeconds());
        long until = next == null ? Long.MAX_VALUE : next.toEpochSecond() + Math.min(
                next.getOffsetBefore().getTotalSeconds(), next.getOffsetAfter().getTotalSeconds());
        if (localSeconds >= from && localSeconds < until) {
            offsetFrom = from;
            offsetUntil = until;
            cachedOffset = offset;
        }
        return offset;
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
