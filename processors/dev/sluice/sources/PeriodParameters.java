package dev.sluice.sources;

import dev.sluice.api.BadRequestException;
import dev.sluice.http.Periods;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A period given over the API (POST /sources/{name}/runs?period=…, a backfill's from/to), checked
 * against the source's period format before it goes anywhere near a URL or an object key: a
 * bucket source takes a date (2025-06-19) or a UTC-offset time (2025-06-19T12:00:00Z) of the
 * years 1000–2999; an HTTP source takes its kind of period (Periods.validate). Anything else is 400.
 */
public final class PeriodParameters {

    private static final Pattern DATE = Pattern.compile("[12]\\d{3}-\\d{2}-\\d{2}");
    private static final Pattern TIME = Pattern.compile(
            "[12]\\d{3}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})");

    private PeriodParameters() {
    }

    /** A bucket source's period parameter: a date (midnight UTC) or a time. */
    public static ZonedDateTime bucketTime(Object value, String field) {
        String text = String.valueOf(value);
        try {
            if (DATE.matcher(text).matches()) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC);
            }
            if (TIME.matcher(text).matches()) {
                return OffsetDateTime.parse(text).atZoneSameInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeParseException e) {
            // a date that does not exist (2025-02-30): the same answer as any other bad value
        }
        throw new BadRequestException(field + ": '" + shorten(text) + "' is not a date (2025-06-19) or time (2025-06-19T12:00:00Z)");
    }

    /** An HTTP source's period parameter, as its kind writes periods. */
    public static String httpPeriod(Periods.Kind kind, Object value, String field) {
        String text = String.valueOf(value);
        try {
            return Periods.validate(kind, text);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(field + ": '" + shorten(text) + "' is not " + Periods.expected(kind));
        }
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
