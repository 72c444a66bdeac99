package dev.sluice.ingest;

import dev.sluice.dataset.ColumnType;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads back the rows a {@link BinaryCopyBuffer} holds, as PostgreSQL would store them, so a test can
 * compare what the load sends: an integer as its number, a decimal as its digits at the scale sent,
 * a timestamp as the UTC instant, a boolean as t/f, text as itself, null as "null". The fields after
 * the declared columns (lineage, record number) are 8- or 4-byte integers. A row reads as its fields
 * joined by " | ".
 */
final class BinaryCopyRows {

    private static final int NUMERIC_NEGATIVE = 0x4000;

    private BinaryCopyRows() {
    }

    /** The rows of a buffer without COPY header or trailer (what {@link RowConverter#encode} appends). */
    static List<String> read(BinaryCopyBuffer buffer, List<ColumnType> columns) {
        ByteBuffer in = ByteBuffer.wrap(buffer.array(), 0, buffer.size());
        List<String> rows = new ArrayList<>();
        while (in.hasRemaining()) {
            int fields = in.getShort();
            List<String> values = new ArrayList<>(fields);
            for (int f = 0; f < fields; f++) {
                int length = in.getInt();
                if (length < 0) {
                    values.add("null");
                    continue;
                }
                ByteBuffer value = in.slice().limit(length);
                in.position(in.position() + length);
                values.add(f < columns.size() ? value(columns.get(f), value) : integer(value));
            }
            rows.add(String.join(" | ", values));
        }
        return rows;
    }

    private static String value(ColumnType type, ByteBuffer value) {
        return switch (type) {
            case INT -> integer(value);
            case DECIMAL -> numeric(value).toPlainString();
            case TIMESTAMP -> Instant.ofEpochSecond(BinaryCopyBuffer.POSTGRES_EPOCH_SECONDS).plusNanos(value.getLong() * 1000).toString();
            case BOOLEAN -> value.get() == 1 ? "t" : "f";
            case TEXT -> StandardCharsets.UTF_8.decode(value).toString();
        };
    }

    private static String integer(ByteBuffer value) {
        return Long.toString(value.remaining() == 4 ? value.getInt() : value.getLong());
    }

    /** Base-10000 digits, the weight of the first, the sign, the scale: PostgreSQL's numeric_recv. */
    private static BigDecimal numeric(ByteBuffer value) {
        int digits = value.getShort();
        int weight = value.getShort();
        int sign = value.getShort() & 0xFFFF;
        int scale = value.getShort();
        BigDecimal number = BigDecimal.ZERO;
        for (int i = 0; i < digits; i++) {
            number = number.add(BigDecimal.valueOf(value.getShort()).scaleByPowerOfTen(4 * (weight - i)));
        }
        number = number.setScale(scale);
        return sign == NUMERIC_NEGATIVE ? number.negate() : number;
    }
}
