package dev.sluice.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines and decodes each strictly, so one line with invalid bytes becomes
 * one bad line instead of a failed file or silently replaced characters. Memory stays bounded by
 * {@code maxLineBytes} whatever the input (binary garbage has no newlines).
 */
public final class LineReader implements Closeable {

    private final InputStream in;
    private final Charset charset;
    private final CharsetDecoder decoder;
    private final boolean utf8;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private boolean endOfInput;
    private byte[] carry = new byte[256];
    private long lineNumber;
    private int carried;
    private boolean tooLong;
    private boolean first = true;

    public LineReader(InputStream in, Charset charset, int maxLineBytes) {
        this.in = in;
        this.charset = charset;
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.utf8 = charset.equals(StandardCharsets.UTF_8);
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of input. */
    public Line next() throws IOException {
        carried = 0;
        tooLong = false;
        while (true) {
            if (position == limit && !fill()) {
                return carried == 0 && !tooLong ? null : line(carry, 0, carried, tooLong);
            }
            int newline = indexOfNewline();
            Line line = null;
            if (newline >= 0 && carried == 0) {
                int length = newline - position;
                line = line(buffer, position, length, length > maxLineBytes);
            } else {
                carry((newline >= 0 ? newline : limit) - position);
                if (newline >= 0) {
                    line = line(carry, 0, carried, tooLong);
                }
            }
            position = newline >= 0 ? newline + 1 : limit;
            if (line != null) {
                return line;
            }
        }
    }

    /** Keeps the part of a line that lies in this buffer for after the refill; past the limit, only notes it is too long. */
    private void carry(int length) {
        if (!tooLong && carried + length <= maxLineBytes) {
            carry = ensure(carry, carried + length);
            System.arraycopy(buffer, position, carry, carried, length);
            carried += length;
        } else {
            tooLong = true;
        }
    }

    private int indexOfNewline() {
        byte[] b = buffer;
        for (int i = position; i < limit; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean fill() throws IOException {
        if (endOfInput) {
            return false;
        }
        int read = in.read(buffer, 0, buffer.length);
        if (read <= 0) {
            endOfInput = read < 0;
            position = limit = 0;
            return !endOfInput && fill();
        }
        position = 0;
        limit = read;
        if (first) {
            first = false;
            // a UTF-8 byte order mark is not part of the first header name
            if (utf8 && read >= 3 && (buffer[0] & 0xFF) == 0xEF && (buffer[1] & 0xFF) == 0xBB && (buffer[2] & 0xFF) == 0xBF) {
                position = 3;
            }
        }
        return true;
    }

    private Line line(byte[] bytes, int offset, int length, boolean tooLong) {
        lineNumber++;
        if (length > 0 && bytes[offset + length - 1] == '\r') {
            length--;
        }
        if (tooLong) {
            return new Line(lineNumber, new String(bytes, offset, Math.min(length, 1024), charset),
                    "line longer than " + maxLineBytes + " bytes");
        }
        if (utf8 && isAscii(bytes, offset, length)) {
            return new Line(lineNumber, new String(bytes, offset, length, StandardCharsets.ISO_8859_1), null);
        }
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, offset, length));
            return new Line(lineNumber, chars.toString(), null);
        } catch (CharacterCodingException e) {
            return new Line(lineNumber, new String(bytes, offset, length, charset),
                    "invalid " + charset.name() + " byte sequence");
        }
    }

    private static boolean isAscii(byte[] bytes, int offset, int length) {
        int bits = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            bits |= bytes[i];
        }
        return bits >= 0;
    }

    private static byte[] ensure(byte[] array, int size) {
        return size <= array.length ? array : Arrays.copyOf(array, Math.max(size, array.length * 2));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
