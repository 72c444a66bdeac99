package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvRecordReaderTest {

    static final DatasetDefinition READINGS = DatasetDeclarations.parse(new ByteArrayInputStream("""
            name: readings
            files: ["r*.csv"]
            table: readings
            naturalKey: [id]
            columns:
              - {name: id, type: text}
              - {name: amount, type: decimal, precision: 6, scale: 2}
              - {name: note, type: text, required: false}
            """.getBytes(StandardCharsets.UTF_8)), "test").get(0);

    static List<RawRecord> read(String csv) throws IOException {
        return read(csv.getBytes(StandardCharsets.UTF_8));
    }

    static List<RawRecord> read(byte[] csv) throws IOException {
        try (CsvRecordReader reader = new CsvRecordReader(
                new LineReader(new ByteArrayInputStream(csv), StandardCharsets.UTF_8, 1024), READINGS, ',', 1024)) {
            List<RawRecord> records = new ArrayList<>();
            RawRecord record;
            while ((record = reader.next()) != null) {
                records.add(record);
            }
            return records;
        }
    }

    @Test
    void columnsAreFoundByHeaderNameInAnyOrderAndExtraColumnsIgnored() throws IOException {
        List<RawRecord> records = read("NOTE,extra,Amount,id\r\nhello,x,1.5,a\n,y,2,b\n");
        assertEquals(2, records.size());
        assertArrayEquals(new String[] {"a", "1.5", "hello"}, records.get(0).values());
        assertArrayEquals(new String[] {"b", "2", null}, records.get(1).values());
        assertEquals(2, records.get(0).number());
    }

    @Test
    void quotedFieldsKeepDelimitersQuotesAndNewlines() throws IOException {
        List<RawRecord> records = read("id,amount,note\n\"a,1\",3,\"say \"\"hi\"\"\nbye\"\nb,4,\"\"\n");
        assertEquals(2, records.size());
        assertArrayEquals(new String[] {"a,1", "3", "say \"hi\"\nbye"}, records.get(0).values());
        assertEquals("", records.get(1).values()[2], "a quoted empty field is an empty string, not null");
        assertEquals(4, records.get(1).number(), "line numbers count physical lines");
    }

    @Test
    void wrongFieldCountAndInvalidUtf8AreBadRecordsWithTheirLine() throws IOException {
        byte[] latin1 = "c,1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = "id,amount,note\na,1\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + latin1.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(latin1, 0, all, head.length, latin1.length);
        List<RawRecord> records = read(all);
        assertEquals("expected 3 fields, found 2", records.get(0).error());
        assertEquals(2, records.get(0).number());
        assertTrue(records.get(1).error().contains("invalid UTF-8"));
        assertEquals(3, records.get(1).number());
    }

    @Test
    void anUnterminatedQuoteAtTheEndIsABadRecord() throws IOException {
        List<RawRecord> records = read("id,amount,note\na,1,\"open\n");
        assertEquals("unterminated quoted field", records.get(0).error());
    }

    @Test
    void aHeaderWithoutTheDeclaredColumnsRejectsTheFile() {
        RejectedFileException none = assertThrows(RejectedFileException.class, () -> read("x,y\n1,2\n"));
        assertTrue(none.getMessage().contains("missing header"), none.getMessage());
        RejectedFileException lacking = assertThrows(RejectedFileException.class, () -> read("id,note\n1,2\n"));
        assertTrue(lacking.getMessage().contains("[amount]"), lacking.getMessage());
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstHeaderName() throws IOException {
        byte[] csv = "\uFEFFid,amount\na,1\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", read(csv).get(0).values()[0]);
    }

    @Test
    void overLongLinesAreBadRecordsAndReadingGoesOn() throws IOException {
        char[] longNote = new char[3000];
        Arrays.fill(longNote, 'x');
        List<RawRecord> records = read("id,amount,note\na,1," + new String(longNote) + "\nb,2,ok\n");
        assertTrue(records.get(0).error().contains("line longer than 1024 bytes"));
        assertArrayEquals(new String[] {"b", "2", "ok"}, records.get(1).values());
    }

    @Test
    void blankLinesAreSkipped() throws IOException {
        List<RawRecord> records = read("id,amount\n\na,1\n   \nb,2");
        assertEquals(2, records.size());
        assertNull(records.get(1).error());
        assertEquals("b", records.get(1).values()[0]);
    }
}
