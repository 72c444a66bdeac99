package dev.sluice.ingest;

import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonRecordReaderTest {

    private static DatasetDefinition datasets() throws Exception {
        try (InputStream in = JsonRecordReaderTest.class.getResourceAsStream("/datasets.yaml")) {
            return DatasetDeclarations.parse(in, "datasets.yaml").stream().filter(d -> d.name().equals("datasets")).findFirst().orElseThrow();
        }
    }

    private static List<RawRecord> read(String json) throws Exception {
        List<RawRecord> records = new ArrayList<>();
        try (JsonRecordReader reader = new JsonRecordReader(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), datasets())) {
            RawRecord r;
            while ((r = reader.next()) != null) {
                records.add(r);
            }
        }
        return records;
    }

    @Test
    void anArrayOfObjectsIsReadOneObjectAtATime() throws Exception {
        List<RawRecord> records = read("[{\"name\": \"a\", \"format\": \"csv\"}, 7, {\"name\": \"b\", \"license\": null}]");
        assertEquals(3, records.size());
        assertEquals("a", records.get(0).values()[0]);
        assertEquals("element 2 is not a JSON object", records.get(1).error());
        assertArrayEquals(new String[] {"b", null, null, null, null, null}, records.get(2).values());
        assertEquals(1, read("{\"name\": \"single\"}").size());
    }

    @Test
    void somethingThatIsNotAJsonDocumentRejectsTheFile() {
        assertThrows(RejectedFileException.class, () -> read("\"just a string\""));
        assertThrows(RejectedFileException.class, () -> read("<html>"));
    }

    private static List<RawRecord> read(InputStream json, JsonLimits limits) throws Exception {
        List<RawRecord> records = new ArrayList<>();
        try (JsonRecordReader reader = new JsonRecordReader(json, datasets(), limits)) {
            RawRecord r;
            while ((r = reader.next()) != null) {
                records.add(r);
            }
        }
        return records;
    }

    private static InputStream utf8(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    /** {"name": "big", "description": "xxx…"} of the given size, generated as it is read; counts what was read. */
    private static final class HugeObject extends InputStream {
        private final byte[] head;
        private final byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
        private final long size;
        long read;

        HugeObject(String head, long size) {
            this.head = head.getBytes(StandardCharsets.UTF_8);
            this.size = size;
        }

        @Override
        public int read() {
            if (read >= size) {
                return -1;
            }
            long i = read++;
            if (i < head.length) {
                return head[(int) i];
            }
            long fromEnd = size - i;
            return fromEnd <= tail.length ? tail[(int) (tail.length - fromEnd)] : 'x';
        }
    }

    @Test
    void aSingleObjectOverTheSizeLimitRejectsTheFileWithoutBeingReadWhole() {
        // 51 MB of one string value: stopped after about the limit, not read into memory
        HugeObject string = new HugeObject("{\"name\": \"big\", \"description\": \"", 51L << 20);
        RejectedFileException rejected = assertThrows(RejectedFileException.class, () -> read(string, JsonLimits.DEFAULT));
        assertTrue(rejected.getMessage().contains("sluice.ingest.json.max-object-bytes"), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("1048576 bytes"), rejected.getMessage());
        assertTrue(string.read < 4L << 20, "read " + string.read + " bytes of 51 MB");

        // 51 MB of many small fields: the same
        StringBuilder fields = new StringBuilder("{\"name\": \"many\"");
        for (int i = 0; fields.length() < 3 << 20; i++) {
            fields.append(", \"f").append(i).append("\": \"value number ").append(i).append('"');
        }
        RejectedFileException many = assertThrows(RejectedFileException.class, () -> read(utf8(fields + "}"), JsonLimits.DEFAULT));
        assertTrue(many.getMessage().contains("the JSON document is one object larger than 1048576 bytes (sluice.ingest.json.max-object-bytes)"),
                many.getMessage());
    }

    @Test
    void anArrayElementOverTheSizeLimitIsABadRecordAndTheNextElementsAreRead() throws Exception {
        JsonLimits limits = new JsonLimits(1 << 20, 200, 16);
        String big = "{\"name\": \"big\", " + "\"n\": [1, 2, 3], ".repeat(40) + "\"format\": \"csv\"}";
        List<RawRecord> records = read(utf8("[{\"name\": \"a\"}, " + big + ", {\"name\": \"c\", \"format\": \"json\"}]"), limits);
        assertEquals(3, records.size());
        assertEquals("a", records.get(0).values()[0]);
        assertEquals(2, records.get(1).number());
        assertEquals("element 2 is larger than 200 bytes (sluice.ingest.json.max-object-bytes)", records.get(1).error());
        assertEquals("c", records.get(2).values()[0]);
        assertEquals("json", records.get(2).values()[3]);
        assertEquals(3, records.get(2).number());
    }

    @Test
    void documentsBreakingTheOtherLimitsRejectTheFileWithTheSettingToChange() {
        RejectedFileException deep = assertThrows(RejectedFileException.class,
                () -> read(utf8("[{\"name\": \"a\", \"x\": " + "[".repeat(100) + "]".repeat(100) + "}]"), JsonLimits.DEFAULT));
        assertTrue(deep.getMessage().contains("deeper than 64 levels (sluice.ingest.json.max-nesting-depth)"), deep.getMessage());

        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 5000; i++) {
            many.append(i == 0 ? "" : ",").append("{\"name\": \"n").append(i).append("\"}");
        }
        RejectedFileException large = assertThrows(RejectedFileException.class,
                () -> read(utf8(many.append("]").toString()), new JsonLimits(10_000, 1 << 20, 64)));
        assertTrue(large.getMessage().contains("larger than 10000 bytes (sluice.ingest.json.max-document-bytes)"), large.getMessage());
    }

    @Test
    void valuesKeepTheirTextAndRawRecordsAreTheObjects() throws Exception {
        List<RawRecord> records = read("[{\"name\": \"n\", \"description\": 12345678901234567890.125, \"format\": true, \"license\": null},"
                + " {\"name\": \"m\", \"format\": {\"nested\": 1}}, [1, 2]]");
        assertEquals("12345678901234567890.125", records.get(0).values()[1]);
        assertEquals("true", records.get(0).values()[3]);
        assertEquals(null, records.get(0).values()[4]);
        assertTrue(records.get(0).raw().startsWith("{\"name\":\"n\""), records.get(0).raw());
        assertEquals("field 'format' is not a single value", records.get(1).error());
        assertEquals("[1,2]", records.get(2).raw());
        assertEquals("element 3 is not a JSON object", records.get(2).error());
    }

    @Test
    void aDocumentCutOffMidwayEndsWithABadRecord() throws Exception {
        List<RawRecord> records = read("[{\"name\": \"a\"}, {\"name\": \"b\"");
        assertEquals(2, records.size());
        assertEquals("a", records.get(0).values()[0]);
        assertTrue(records.get(1).error().startsWith("not valid JSON"), records.get(1).error());
        assertEquals(2, records.get(1).number());
    }
}
