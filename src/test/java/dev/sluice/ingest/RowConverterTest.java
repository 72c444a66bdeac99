package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

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

    private String row(String... values) {
        CopyBuffer out = new CopyBuffer(16);
        String error = converter.append(new RawRecord(7, "raw", values, null), out);
        return error != null ? "ERROR " + error : new String(out.array(), 0, out.size(), StandardCharsets.UTF_8);
    }

    @Test
    void goodValuesBecomeOneCopyTextRow() {
        assertEquals("42\t123.45\t2024-01-01 00:15:00-07:00\tt\ta\\tb\n", row("42", "123.45", "2024-01-01 00:15", "yes", "a\tb"));
        assertEquals("-1\t0\t2024-06-30 23:59:59+02:00\tf\t\\N\n", row("+-1".substring(1), "0", "2024-06-30 23:59:59+02:00", "0", null));
        assertEquals("1\t1.5\t2024-01-02 00:00:00-07:00\t\\N\t\\\\x\n", row("1", "1.5", "2024-01-02", " ", "\\x"));
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
        CopyBuffer out = new CopyBuffer(16);
        assertNull(converter.append(new RawRecord(1, "", new String[] {"1", "1", "2024-01-01", null, null}, null), out));
        int size = out.size();
        assertEquals("column amount: 'x' is not a number",
                converter.append(new RawRecord(2, "", new String[] {"2", "x", "2024-01-01", null, null}, null), out));
        assertEquals(size, out.size());
    }

    @Test
    void nonAsciiTextIsEncodedAsUtf8() {
        assertEquals("1\t1\t2024-01-01 00:00:00-07:00\t\\N\tcafé😀\n", row("1", "1", "2024-01-01", null, "café😀"));
    }
}
