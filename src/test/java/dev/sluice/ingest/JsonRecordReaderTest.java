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
}
