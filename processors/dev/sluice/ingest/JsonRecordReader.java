package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.sluice.dataset.DatasetDefinition;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * A JSON document: one object, or an array of objects read one at a time — token by token, never
 * as a tree of the whole document, and never more than {@link JsonLimits#maxObjectBytes()} of one
 * object. Record numbers count the objects; a non-object element, or an element over the size limit,
 * is a bad record; a document that is not JSON at all, a single object over the size limit, or a
 * document breaking the other limits (size, nesting, string length) rejects the file.
 */
public final class JsonRecordReader implements RecordReader {

    private final JsonLimits limits;
    private final JsonFactory factory;
    private final JsonParser parser;
    private final String[] fieldNames;
    private final Map<String, Integer> columnOf = new HashMap<>();
    private final boolean array;
    private long number;
    private boolean done;

    public JsonRecordReader(InputStream in, DatasetDefinition dataset) throws IOException {
        this(in, dataset, JsonLimits.DEFAULT);
    }

    public JsonRecordReader(InputStream in, DatasetDefinition dataset, JsonLimits limits) throws IOException {
        this.limits = limits;
        this.factory = limits.factory();
        this.parser = factory.createParser(in);
        this.fieldNames = dataset.columns().stream().map(c -> c.field()).toArray(String[]::new);
        for (int i = 0; i < fieldNames.length; i++) {
            columnOf.putIfAbsent(fieldNames[i], i);
        }
        JsonToken first;
        try {
            first = parser.nextToken();
        } catch (StreamConstraintsException e) {
            parser.close();
            throw new RejectedFileException(limits.describe(e));
        } catch (IOException e) {
            parser.close();
            throw new RejectedFileException("not a JSON document: " + message(e));
        }
        if (first != JsonToken.START_ARRAY && first != JsonToken.START_OBJECT) {
            parser.close();
            throw new RejectedFileException("not a JSON document of objects: it starts with " + first);
        }
        this.array = first == JsonToken.START_ARRAY;
    }

    @Override
    public RawRecord next() throws IOException {
        if (done) {
            return null;
        }
        long before = number;
        try {
            JsonToken token;
            if (array) {
                token = parser.nextToken();
                if (token == JsonToken.END_ARRAY || token == null) {
                    done = true;
                    return null;
                }
            } else {
                token = parser.currentToken();
                done = true;
            }
            long start = offset(parser.currentTokenLocation());
            number++;
            return element(token, start);
        } catch (StreamConstraintsException e) {
            done = true;
            throw new RejectedFileException(limits.describe(e));
        } catch (JsonProcessingException e) {
            done = true;
            return RawRecord.bad(before + 1, null, "not valid JSON: " + message(e));
        }
    }

    /** Reads one element from its first token; copies it (bounded) as the raw record. */
    private RawRecord element(JsonToken first, long start) throws IOException {
        StringWriter raw = new StringWriter();
        try (JsonGenerator copy = factory.createGenerator(raw)) {
            copy.copyCurrentEvent(parser);
            if (first != JsonToken.START_OBJECT) {
                if (first.isStructStart() && !copyRest(copy, start)) {
                    return tooLarge();
                }
                copy.flush();
                return RawRecord.bad(number, raw.toString(), "element " + number + " is not a JSON object");
            }
            String[] values = new String[fieldNames.length];
            int firstContainerColumn = Integer.MAX_VALUE;
            String field = null;
            int depth = 1;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    throw new com.fasterxml.jackson.core.io.JsonEOFException(parser, null, "unexpected end of the document within an object");
                }
                if (offset(parser.currentLocation()) - start > limits.maxObjectBytes()) {
                    skipRest(depth);
                    return tooLarge();
                }
                if (depth == 1) {
                    if (token == JsonToken.FIELD_NAME) {
                        field = parser.currentName();
                    } else if (token != JsonToken.END_OBJECT) {
                        Integer column = columnOf.get(field);
                        if (column != null) {
                            if (token.isStructStart()) {
                                firstContainerColumn = Math.min(firstContainerColumn, column);
                            } else {
                                values[column] = token == JsonToken.VALUE_NULL ? null : parser.getText();
                            }
                        }
                    }
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
                copy.copyCurrentEvent(parser);
            }
            copy.flush();
            if (firstContainerColumn != Integer.MAX_VALUE) {
                return RawRecord.bad(number, raw.toString(), "field '" + fieldNames[firstContainerColumn] + "' is not a single value");
            }
            return new RawRecord(number, raw.toString(), values, null);
        }
    }

    /** Copies the rest of an array element; false when it grows over the object limit (then it is skipped). */
    private boolean copyRest(JsonGenerator copy, long start) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(parser, null, "unexpected end of the document within an array");
            }
            if (offset(parser.currentLocation()) - start > limits.maxObjectBytes()) {
                skipRest(depth);
                return false;
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
            copy.copyCurrentEvent(parser);
        }
        return true;
    }

    /** Reads past the rest of an element without keeping anything of it. */
    private void skipRest(int depth) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != null && token.isStructStart()) {
            depth++;
        } else if (token != null && token.isStructEnd()) {
            depth--;
        }
        while (depth > 0) {
            token = parser.nextToken();
            if (token == null) {
                throw new com.fasterxml.jackson.core.io.JsonEOFException(parser, null, "unexpected end of the document");
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
        }
    }

    private RawRecord tooLarge() {
        String limit = "larger than " + limits.maxObjectBytes() + " bytes (sluice.ingest.json.max-object-bytes)";
        if (!array) {
            throw new RejectedFileException("the JSON document is one object " + limit
                                            + "; send large data as an array of objects or as NDJSON, one object per line");
        }
        return RawRecord.bad(number, null, "element " + number + " is " + limit);
    }

    private static long offset(JsonLocation location) {
        long bytes = location.getByteOffset();
        return bytes >= 0 ? bytes : location.getCharOffset();
    }

    private static String message(JsonProcessingException e) {
        return e.getOriginalMessage();
    }

    private static String message(IOException e) {
        return e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
