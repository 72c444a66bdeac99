package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RowConverterTest {

    static final DatasetDefinition ALL_TYPES = DatasetDeclarations.parse(new ByteArrayInputStream("""
            name: all-types
            files: ["*.csv"]
            table: all_types
            naturalKey: [id]
            columns:
              - {name: id, type: int}
              - {name: amount, type: decimal, precision: 5, scale: 2}
              - {name: at, type: timestamp, format: "yyyy-MM-dd[ HH:mm[:ss]][XXX]", zone: America/Phoenix}
              - {name: flag, type: boolean, required: false}
              - {name: note, type: text, maxLength: 5, required: false}
            """.getBytes(StandardCharsets.UTF_8)), "test").get(0);

    private final RowConverter converter = new RowConverter(ALL_TYPES);

    /** The binary COPY row the load would send for these values, read back; or the reason it sends none. */
    private String row(String... values) {
        BinaryCopyBuffer out = new BinaryCopyBuffer(16);
        String error = converter.encode(new RawRecord(7, "raw", values, null), out, null, false);
        return error != null ? "ERROR " + error : String.join("\n", rows(out));
    }

    private static List<String> rows(BinaryCopyBuffer out) {
        return BinaryCopyRows.read(out, ALL_TYPES.columns().stream().map(c -> c.type()).toList());
    }

    @Test
    void goodValuesBecomeOneBinaryCopyRow() {
        // a timestamp without an offset is in the declared zone (Phoenix: UTC-7); PostgreSQL stores the instant
        assertEquals("42 | 123.45 | 2024-01-01T07:15:00Z | t | a\tb", row("42", "123.45", "2024-01-01 00:15", "yes", "a\tb"));
        assertEquals("-1 | 0 | 2024-06-30T21:59:59Z | f | null", row("+-1".substring(1), "0", "2024-06-30 23:59:59+02:00", "0", null));
        assertEquals("1 | 1.5 | 2024-01-02T07:00:00Z | null | \\x", row("1", "1.5", "2024-01-02", " ", "\\x"));
        assertEquals("7 | -0.05 | 2024-01-01T07:00:00Z | null | ", row("+7", "-.05", "2024-01-01", null, ""));
    }

    @Test
    void theLineageAndRecordNumberFollowTheColumnsAndIntegerColumnsTakeFourBytes() {
        RawRecord record = new RawRecord(7, "raw", new String[] {"42", "1", "2024-01-01", null, null}, null);
        BinaryCopyBuffer intoBigints = new BinaryCopyBuffer(16);
        assertNull(converter.encode(record, intoBigints, 99L, true));
        assertEquals(List.of("42 | 1 | 2024-01-01T07:00:00Z | null | null | 99 | 7"), rows(intoBigints));

        RowConverter intoIntegers = new RowConverter(ALL_TYPES, Set.of("id", "ingest_run_id"));
        BinaryCopyBuffer out = new BinaryCopyBuffer(16);
        assertNull(intoIntegers.encode(record, out, 99L, true));
        assertEquals(List.of("42 | 1 | 2024-01-01T07:00:00Z | null | null | 99 | 7"), rows(out));
        assertEquals(intoBigints.size() - 8, out.size(), "id and the lineage sent as int4, 4 bytes each fewer");
        assertEquals("column id: '3000000000' is out of range for integer",
                intoIntegers.encode(new RawRecord(8, "raw", new String[] {"3000000000", "1", "2024-01-01", null, null}, null), out, 99L, true));
    }

    @Test
    void badValuesNameTheirColumnAndLeaveNothingBehind() {
        assertEquals("ERROR column id: 'x' is not an integer", row("x", "1", "2024-01-01", null, null));
        assertEquals("ERROR column amount: '1234.5' is out of range for numeric(5,2)", row("1", "1234.5", "2024-01-01", null, null));
        assertEquals("ERROR column amount: 'one' is not a number", row("1", "one", "2024-01-01", null, null));
        assertEquals("ERROR column at: '2024-13-01' is not a timestamp like yyyy-MM-dd[ HH:mm[:ss]][XXX]", row("1", "1", "2024-13-01", null, null));
        assertEquals("ERROR column flag: 'maybe' is not a boolean", row("1", "1", "2024-01-01", "maybe", null));
        assertEquals("ERROR column note: longer than 5 characters (6)", row("1", "1", "2024-01-01", null, "abcdef"));
        assertEquals("ERROR column note: contains a NUL character", row("1", "1", "2024-01-01", null, "a\0b"));
        assertEquals("ERROR column id: missing value", row(null, "1", "2024-01-01", null, null));
        assertEquals("ERROR column amount: missing value", row("1", "  ", "2024-01-01", null, null));
    }

    @Test
    void aBadRowAfterAGoodOneKeepsTheGoodOneIntact() {
        BinaryCopyBuffer out = new BinaryCopyBuffer(16);
        assertNull(converter.encode(new RawRecord(1, "", new String[] {"1", "1", "2024-01-01", null, null}, null), out, null, false));
        int size = out.size();
        assertEquals("column amount: 'x' is not a number",
                converter.encode(new RawRecord(2, "", new String[] {"2", "x", "2024-01-01", null, null}, null), out, null, false));
        assertEquals(size, out.size());
        assertEquals(List.of("1 | 1 | 2024-01-01T07:00:00Z | null | null"), rows(out));
    }

    @Test
    void nonAsciiTextIsEncodedAsUtf8() {
        assertEquals("1 | 1 | 2024-01-01T07:00:00Z | null | café😀", row("1", "1", "2024-01-01", null, "café😀"));
    }
}
