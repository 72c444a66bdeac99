package dev.sluice.ingest;

import java.util.Arrays;

/**
 * Rows in PostgreSQL COPY text format (tab-separated, backslash escapes, \N for null), encoded as
 * UTF-8 straight into a byte array that is handed to the driver in large chunks.
 */
public final class CopyBuffer {

    private byte[] bytes;
    private int size;
    private boolean rowStarted;

    public CopyBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    public void field(String value) {
        separate();
        if (value == null) {
            ensure(2);
            bytes[size++] = '\\';
            bytes[size++] = 'N';
            return;
        }
        int length = value.length();
        ensure(length * 3 + 2);
        byte[] b = bytes;
        int s = size;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> { b[s++] = '\\'; b[s++] = '\\'; }
                    case '\t' -> { b[s++] = '\\'; b[s++] = 't'; }
                    case '\n' -> { b[s++] = '\\'; b[s++] = 'n'; }
                    case '\r' -> { b[s++] = '\\'; b[s++] = 'r'; }
                    default -> b[s++] = (byte) c;
                }
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
        size = s;
    }

    public void field(long value) {
        field(Long.toString(value));
    }

    public void endRow() {
        ensure(1);
        bytes[size++] = '\n';
        rowStarted = false;
    }

    /** Position to return to with {@link #truncate(int)} when a row turns out to be bad half-way. */
    public int mark() {
        return size;
    }

    public void truncate(int mark) {
        size = mark;
        rowStarted = false;
    }

    public int size() {
        return size;
    }

    public byte[] array() {
        return bytes;
    }

    public void clear() {
        size = 0;
        rowStarted = false;
    }

    private void separate() {
        if (rowStarted) {
            ensure(1);
            bytes[size++] = '\t';
        }
        rowStarted = true;
    }

    private void ensure(int extra) {
        if (size + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        }
    }
}
