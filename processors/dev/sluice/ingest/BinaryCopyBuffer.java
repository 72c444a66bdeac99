package dev.sluice.ingest;

import java.util.Arrays;

/**
 * Rows in PostgreSQL's binary COPY format, written straight into a byte array that is handed to the
 * driver in large chunks.
 *
 * <p>Why binary and not text: on a load the PostgreSQL backend is the bottleneck (it parses, checks the
 * key and writes WAL on one core while Sluice reads the file on the other). In text format it parses
 * every timestamp, number and escape again, work Sluice has already done while validating; in binary it
 * receives the values as they are stored (a timestamp as microseconds, a number as base-10000 digits)
 * and only checks them. That cuts the backend's CPU per row below what {@code psql \copy} of the CSV
 * costs it.
 *
 * <p>Layout: a header per COPY, per row a 16-bit field count and per field a 32-bit length (-1 for
 * null) and the value in network byte order, and a trailer.
 */
public final class BinaryCopyBuffer {

    /** Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for timestamps. */
    static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final short NUMERIC_POSITIVE = 0x0000;
    private static final short NUMERIC_NEGATIVE = 0x4000;

    private byte[] bytes;
    private int size;

    public BinaryCopyBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** Starts a COPY's data: its signature, no flags, no header extension. */
    public void header() {
        ensure(HEADER.length);
        System.arraycopy(HEADER, 0, bytes, size, HEADER.length);
        size += HEADER.length;
    }

    /** Ends a COPY's data. */
    public void trailer() {
        int16(-1);
    }

    public void startRow(int fields) {
        int16(fields);
    }

    public void nullField() {
        int32(-1);
    }

    public void int8(long value) {
        ensure(12);
        int32(8);
        int64(value);
    }

    public void int4(int value) {
        ensure(8);
        int32(4);
        int32(value);
    }

    public void bool(boolean value) {
        ensure(5);
        int32(1);
        bytes[size++] = (byte) (value ? 1 : 0);
    }

    /** A timestamptz: microseconds since 2000-01-01 00:00 UTC. */
    public void timestamp(long micros) {
        int8(micros);
    }

    /** A text value as UTF-8 (an unpaired surrogate becomes U+FFFD, as PostgreSQL would refuse it). */
    public void text(String value) {
        int length = value.length();
        ensure(4 + length * 3);
        byte[] b = bytes;
        int lengthAt = size;
        int s = size + 4;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                b[s++] = (byte) c;
            } else if (c < 0x800) {
                b[s++] = (byte) (0xC0 | (c >> 6));
                b[s++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(++i));
                b[s++] = (byte) (0xF0 | (cp >> 18));
                b[s++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[s++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[s++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) {
                    c = '\uFFFD';
                }
                b[s++] = (byte) (0xE0 | (c >> 12));
                b[s++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[s++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        size = lengthAt;
        int32(s - lengthAt - 4);
        size = s;
    }

    /**
     * A numeric from its plain decimal text (optional sign, digits, optional point and digits, no
     * exponent: what {@link ValueConverter} makes of a decimal): base-10000 digits grouped around the
     * point, the weight of the first group, the sign and the scale as written. PostgreSQL rounds it to
     * the column's scale and checks its precision, as it does for the same text.
     */
    public void numeric(String plain) {
        int n = plain.length();
        int start = 0;
        boolean negative = false;
        if (n > 0 && (plain.charAt(0) == '-' || plain.charAt(0) == '+')) {
            negative = plain.charAt(0) == '-';
            start = 1;
        }
        int point = plain.indexOf('.', start);
        int integerEnd = point < 0 ? n : point;
        int fractionDigits = point < 0 ? 0 : n - point - 1;
        while (start < integerEnd && plain.charAt(start) == '0') {
            start++;
        }
        int integerDigits = integerEnd - start;
        int integerGroups = (integerDigits + 3) / 4;
        int fractionGroups = (fractionDigits + 3) / 4;
        int groups = integerGroups + fractionGroups;
        ensure(12 + groups * 2);
        int32(8 + groups * 2);
        int16(groups);
        int16(integerGroups > 0 ? integerGroups - 1 : -1);
        int16(negative ? NUMERIC_NEGATIVE : NUMERIC_POSITIVE);
        int16(fractionDigits);
        // integer part: the first group takes what is left over from groups of four, counted from the point
        int i = start;
        int firstGroup = integerDigits - (integerGroups - 1) * 4;
        for (int g = 0; g < integerGroups; g++) {
            int width = g == 0 ? firstGroup : 4;
            int digit = 0;
            for (int k = 0; k < width; k++) {
                digit = digit * 10 + (plain.charAt(i++) - '0');
            }
            int16(digit);
        }
        // fraction part: groups of four from the point, the last one padded with zeros
        i = point + 1;
        for (int g = 0; g < fractionGroups; g++) {
            int digit = 0;
            for (int k = 0; k < 4; k++) {
                digit = digit * 10 + (i < n ? plain.charAt(i++) - '0' : 0);
            }
            int16(digit);
        }
    }

    /** Position to return to with {@link #truncate(int)} when a row turns out to be bad half-way. */
    public int mark() {
        return size;
    }

    public void truncate(int mark) {
        size = mark;
    }

    public int size() {
        return size;
    }

    public byte[] array() {
        return bytes;
    }

    public void clear() {
        size = 0;
    }

    private void int16(int value) {
        ensure(2);
        bytes[size++] = (byte) (value >> 8);
        bytes[size++] = (byte) value;
    }

    private void int32(int value) {
        ensure(4);
        byte[] b = bytes;
        int s = size;
        b[s] = (byte) (value >> 24);
        b[s + 1] = (byte) (value >> 16);
        b[s + 2] = (byte) (value >> 8);
        b[s + 3] = (byte) value;
        size = s + 4;
    }

    private void int64(long value) {
        ensure(8);
        byte[] b = bytes;
        int s = size;
        for (int shift = 56; shift >= 0; shift -= 8) {
            b[s++] = (byte) (value >> shift);
        }
        size = s;
    }

    private void ensure(int extra) {
        if (size + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        }
    }
}
