package dev.sluice.ingest;

import dev.sluice.dataset.ColumnDefinition;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.zone.ZoneRules;
import java.util.Locale;

/**
 * Turns a file's text value into the text PostgreSQL accepts for the column's type, or says why it
 * cannot. Everything PostgreSQL would refuse is caught here, because one refused value would abort
 * the whole COPY of a file.
 */
public interface ValueConverter {

    /** Canonical text for COPY (never null for a non-null input). */
    String convert(String value) throws BadValueException;

    /**
     * The same value in binary COPY format, as the column's type (DatasetTables.sqlType) stores it:
     * what the load sends. Refuses what {@link #convert} refuses.
     */
    void encode(String value, BinaryCopyBuffer out) throws BadValueException;

    static ValueConverter of(ColumnDefinition column) {
        return switch (column.type()) {
            case TEXT -> text(column.maxLength());
            case INT -> new ValueConverter() {
                @Override
                public String convert(String value) throws BadValueException {
                    return Long.toString(parseInteger(value));
                }

                @Override
                public void encode(String value, BinaryCopyBuffer out) throws BadValueException {
                    out.int8(parseInteger(value));
                }
            };
            case DECIMAL -> decimal(column.precision(), column.scale());
            case BOOLEAN -> new ValueConverter() {
                @Override
                public String convert(String value) throws BadValueException {
                    return bool(value);
                }

                @Override
                public void encode(String value, BinaryCopyBuffer out) throws BadValueException {
                    out.bool("t".equals(bool(value)));
                }
            };
            case TIMESTAMP -> new TimestampConverter(column.format(), ZoneId.of(column.zone()));
        };
    }

    static ValueConverter text(int maxLength) {
        return new ValueConverter() {
            @Override
            public String convert(String value) throws BadValueException {
                if (maxLength > 0 && value.length() > maxLength && value.codePointCount(0, value.length()) > maxLength) {
                    throw new BadValueException("longer than " + maxLength + " characters (" + value.codePointCount(0, value.length()) + ")");
                }
                if (value.indexOf('\0') >= 0) {
                    throw new BadValueException("contains a NUL character");
                }
                return value;
            }

            @Override
            public void encode(String value, BinaryCopyBuffer out) throws BadValueException {
                out.text(convert(value));
            }
        };
    }

    static String integer(String value) throws BadValueException {
        return Long.toString(parseInteger(value));
    }

    private static long parseInteger(String value) throws BadValueException {
        String v = value.strip();
        try {
            return Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
        } catch (NumberFormatException e) {
            throw new BadValueException("'" + abbreviate(value) + "' is not an integer");
        }
    }

    static ValueConverter decimal(int precision, int scale) {
        int integerDigits = precision - scale;
        return new ValueConverter() {
            @Override
            public String convert(String value) throws BadValueException {
                String plain = plainDecimal(value, precision > 0 ? integerDigits : Integer.MAX_VALUE);
                if (plain != null) {
                    return plain;
                }
                BigDecimal number;
                try {
                    number = new BigDecimal(value.strip());
                } catch (NumberFormatException e) {
                    throw new BadValueException("'" + abbreviate(value) + "' is not a number");
                }
                if (precision > 0 && number.signum() != 0 && number.precision() - number.scale() > integerDigits) {
                    throw new BadValueException("'" + abbreviate(value) + "' is out of range for numeric(" + precision + "," + scale + ")");
                }
                // PostgreSQL's numeric limits (131072 digits before the point, 16383 after): past them it would
                // refuse the whole COPY, and a binary weight would not fit its 16 bits
                if (number.signum() != 0 && (number.precision() - number.scale() > 131_072 || number.scale() > 16_383)) {
                    throw new BadValueException("'" + abbreviate(value) + "' is out of range for numeric");
                }
                return number.toPlainString();
            }

            @Override
            public void encode(String value, BinaryCopyBuffer out) throws BadValueException {
                // both forms convert makes (plainDecimal's, BigDecimal's plain string) are sign, digits, point, digits
                out.numeric(convert(value));
            }
        };
    }

    /**
     * The common case without BigDecimal: optional sign, digits, optional point and digits. Returns
     * the value when it is such a number within range, null to let the general path decide.
     */
    static String plainDecimal(String value, int maxIntegerDigits) {
        int n = value.length();
        int i = 0;
        if (n > 0 && (value.charAt(0) == '-' || value.charAt(0) == '+')) {
            i = 1;
        }
        int firstDigit = i;
        while (i < n && value.charAt(i) == '0') {
            i++;
        }
        int significantStart = i;
        while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
            i++;
        }
        int integerEnd = i;
        if (i < n && value.charAt(i) == '.') {
            i++;
            int fractionStart = i;
            while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                i++;
            }
            if (i == fractionStart && integerEnd == firstDigit) {
                return null;
            }
        } else if (integerEnd == firstDigit) {
            return null;
        }
        if (i != n || integerEnd - significantStart > maxIntegerDigits || n > 40) {
            return null;
        }
        return value.charAt(0) == '+' ? value.substring(1) : value;
    }

    static String bool(String value) throws BadValueException {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "t", "yes", "y", "1" -> "t";
            case "false", "f", "no", "n", "0" -> "f";
            default -> throw new BadValueException("'" + abbreviate(value) + "' is not a boolean");
        };
    }

    static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }

    /** Parses with the declared pattern; values without an offset are in the declared zone. */
    final class TimestampConverter implements ValueConverter {

        /** The shipped flexible pattern (or "iso"): parsed by {@link IsoTimestamps}, which also takes fractions and ±HHMM offsets. */
        static final String ISO_FAMILY = "yyyy-MM-dd[['T'][' ']HH:mm[:ss]][XXX]";

        private final DateTimeFormatter formatter;
        private final ZoneRules zone;
        private final String pattern;
        private final IsoTimestamps iso;

        TimestampConverter(String pattern, ZoneId zone) {
            this.pattern = pattern == null ? "yyyy-MM-dd'T'HH:mm:ssXXX" : pattern;
            this.zone = zone.getRules();
            boolean isoFamily = ISO_FAMILY.equals(this.pattern) || "iso".equalsIgnoreCase(this.pattern);
            this.iso = isoFamily ? new IsoTimestamps(this.zone) : null;
            this.formatter = isoFamily ? null : new DateTimeFormatterBuilder()
                    .appendPattern(this.pattern)
                    .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                    .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                    .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
                    .toFormatter(Locale.ROOT);
        }

        @Override
        public void encode(String value, BinaryCopyBuffer out) throws BadValueException {
            if (iso != null) {
                long micros = iso.micros(value.strip());
                if (micros == Long.MIN_VALUE) {
                    throw new BadValueException("'" + abbreviate(value) + "' is not a timestamp like " + pattern);
                }
                out.timestamp(micros);
                return;
            }
            java.time.OffsetDateTime parsed = parse(value);
            int nanos = parsed.getNano();
            // PostgreSQL parses the text convert writes (nine fraction digits) with strtod and rint: the same here
            long micros = nanos % 1000 == 0 ? nanos / 1000
                    : (long) Math.rint(Double.parseDouble("0." + String.format("%09d", nanos)) * 1_000_000);
            out.timestamp((parsed.toEpochSecond() - BinaryCopyBuffer.POSTGRES_EPOCH_SECONDS) * 1_000_000L + micros);
        }

        @Override
        public String convert(String value) throws BadValueException {
            if (iso != null) {
                String converted = iso.convert(value.strip());
                if (converted == null) {
                    throw new BadValueException("'" + abbreviate(value) + "' is not a timestamp like " + pattern);
                }
                return converted;
            }
            java.time.OffsetDateTime parsed = parse(value);
            return format(parsed.toLocalDateTime(), parsed.getOffset());
        }

        /** With the declared pattern; without an offset in the value, at the declared zone's. */
        private java.time.OffsetDateTime parse(String value) throws BadValueException {
            TemporalAccessor parsed;
            LocalDateTime local;
            try {
                parsed = formatter.parse(value.strip());
                local = LocalDateTime.from(parsed);
            } catch (java.time.DateTimeException e) {
                throw new BadValueException("'" + abbreviate(value) + "' is not a timestamp like " + pattern);
            }
            if (local.getYear() < -4712 || local.getYear() > 294_275) {
                // PostgreSQL's timestamptz range; past it the COPY would fail as a whole
                throw new BadValueException("'" + abbreviate(value) + "' is out of range for a timestamp");
            }
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
                    : zone.getOffset(local);
            return java.time.OffsetDateTime.of(local, offset);
        }

        /** ISO 8601 with offset, written by hand: this runs once per row on the load path. */
        static String format(LocalDateTime t, ZoneOffset offset) {
            StringBuilder s = new StringBuilder(32);
            int year = t.getYear();
            if (year < 1000) {
                s.append(year < 0 ? "-" : "").append(String.format("%04d", Math.abs(year)));
            } else {
                s.append(year);
            }
            two(s.append('-'), t.getMonthValue());
            two(s.append('-'), t.getDayOfMonth());
            two(s.append(' '), t.getHour());
            two(s.append(':'), t.getMinute());
            two(s.append(':'), t.getSecond());
            int nanos = t.getNano();
            if (nanos != 0) {
                s.append('.').append(String.format("%09d", nanos));
            }
            return s.append(offset.getId().equals("Z") ? "+00:00" : offset.getId()).toString();
        }

        private static void two(StringBuilder s, int value) {
            if (value < 10) {
                s.append('0');
            }
            s.append(value);
        }
    }
}
