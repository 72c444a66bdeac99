package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.dataset.DatasetDefinition;

import java.io.IOException;
import java.io.InputStream;

/**
 * A JSON document: one object, or an array of objects read one at a time (the array is never held
 * whole). Record numbers count the objects; a non-object element is a bad record, a document that is
 * not JSON at all rejects the file.
 */
public final class JsonRecordReader implements RecordReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonParser parser;
    private final String[] fieldNames;
    private final boolean array;
    private long number;
    private boolean done;

    public JsonRecordReader(InputStream in, DatasetDefinition dataset) throws IOException {
        this.parser = JSON.getFactory().createParser(in);
        this.fieldNames = dataset.columns().stream().map(c -> c.field()).toArray(String[]::new);
        JsonToken first;
        try {
            first = parser.nextToken();
        } catch (IOException e) {
            throw new RejectedFileException("not a JSON document: " + e.getMessage());
        }
        if (first != JsonToken.START_ARRAY && first != JsonToken.START_OBJECT) {
            throw new RejectedFileException("not a JSON document of objects: it starts with " + first);
        }
        this.array = first == JsonToken.START_ARRAY;
    }

    @Override
    public RawRecord next() throws IOException {
        if (done) {
            return null;
        }
        JsonNode node;
        try {
            if (array) {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.END_ARRAY || token == null) {
                    done = true;
                    return null;
                }
            } else {
                done = true;
            }
            node = parser.readValueAsTree();
        } catch (IOException e) {
            done = true;
            return RawRecord.bad(number + 1, null, "not valid JSON: " + e.getMessage());
        }
        number++;
        if (node == null || !node.isObject()) {
            return RawRecord.bad(number, String.valueOf(node), "element " + number + " is not a JSON object");
        }
        String[] values = new String[fieldNames.length];
        for (int i = 0; i < fieldNames.length; i++) {
            JsonNode value = node.get(fieldNames[i]);
            if (value == null || value.isNull()) {
                continue;
            }
            if (value.isContainerNode()) {
                return RawRecord.bad(number, node.toString(), "field '" + fieldNames[i] + "' is not a single value");
            }
            values[i] = value.asText();
        }
        return new RawRecord(number, node.toString(), values, null);
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
