package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How much of a JSON file Sluice will read, so that no document can run it out of memory: the whole
 * document, one object (a single-object document, one element of an array, one NDJSON line) and how
 * deeply values nest. An array is streamed element by element, so only one object is ever held.
 * Enforced by Jackson's {@link StreamReadConstraints} (document length, string length, nesting depth)
 * and by the readers (object size).
 *
 * @param maxDocumentBytes whole document (sluice.ingest.json.max-document-bytes)
 * @param maxObjectBytes   one object, and so any string in it (sluice.ingest.json.max-object-bytes)
 * @param maxNestingDepth  arrays and objects within each other (sluice.ingest.json.max-nesting-depth)
 */
public record JsonLimits(long maxDocumentBytes, long maxObjectBytes, int maxNestingDepth) {

    public static final long DEFAULT_MAX_DOCUMENT_BYTES = 1L << 30;
    public static final long DEFAULT_MAX_OBJECT_BYTES = 1L << 20;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    public static final JsonLimits DEFAULT = new JsonLimits(DEFAULT_MAX_DOCUMENT_BYTES, DEFAULT_MAX_OBJECT_BYTES, DEFAULT_MAX_NESTING_DEPTH);

    public JsonLimits {
        if (maxDocumentBytes <= 0 || maxObjectBytes <= 0 || maxNestingDepth <= 0) {
            throw new IllegalArgumentException("JSON limits must be positive: " + maxDocumentBytes + ", " + maxObjectBytes + ", " + maxNestingDepth);
        }
    }

    /** A parser factory that enforces these limits. */
    public JsonFactory factory() {
        int maxString = (int) Math.min(Integer.MAX_VALUE, maxObjectBytes);
        JsonFactory factory = new JsonFactory();
        factory.setStreamReadConstraints(StreamReadConstraints.builder()
                .maxDocumentLength(maxDocumentBytes)
                .maxStringLength(maxString)
                .maxNameLength(Math.min(maxString, StreamReadConstraints.DEFAULT_MAX_NAME_LEN))
                .maxNestingDepth(maxNestingDepth)
                .build());
        return factory;
    }

    /** A mapper (for one NDJSON line at a time) that enforces these limits. */
    public ObjectMapper mapper() {
        return new ObjectMapper(factory());
    }

    /** What a violated constraint means, in the words of Sluice's settings. */
    String describe(StreamConstraintsException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Document length")) {
            return "the JSON document is larger than " + maxDocumentBytes + " bytes (sluice.ingest.json.max-document-bytes)";
        }
        if (message.contains("nesting depth") || message.startsWith("Document nesting")) {
            return "the JSON document nests arrays/objects deeper than " + maxNestingDepth + " levels (sluice.ingest.json.max-nesting-depth)";
        }
        if (message.startsWith("String value length") || message.startsWith("Name length")) {
            return "the JSON document holds a string longer than " + maxObjectBytes + " bytes (sluice.ingest.json.max-object-bytes)";
        }
        return "the JSON document exceeds a limit: " + e.getOriginalMessage();
    }
}
