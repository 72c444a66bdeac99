package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.dataset.DatasetDefinition;

import java.io.IOException;

/** Newline-delimited JSON: one object per line (at most sluice.ingest.max-line-bytes), columns read from the fields of the same name. */
public final class NdjsonRecordReader implements RecordReader {

    private static final ObjectMapper DEFAULT_JSON = JsonLimits.DEFAULT.mapper();

    private final ObjectMapper json;
    private final LineReader lines;
    private final String[] fieldNames;

    public NdjsonRecordReader(LineReader lines, DatasetDefinition dataset) {
        this(lines, dataset, DEFAULT_JSON);
    }

    /** Lines are bounded by the line reader; the limits bound what one line may nest. */
    public NdjsonRecordReader(LineReader lines, DatasetDefinition dataset, JsonLimits limits) {
        this(lines, dataset, limits.mapper());
    }

    private NdjsonRecordReader(LineReader lines, DatasetDefinition dataset, ObjectMapper json) {
        this.json = json;
        this.lines = lines;
        this.fieldNames = dataset.columns().stream().map(c -> c.field()).toArray(String[]::new);
    }

    @Override
    public RawRecord next() throws IOException {
        Line line;
        do {
            line = lines.next();
        } while (line != null && line.error() == null && line.text().isBlank());
        if (line == null) {
            return null;
        }
        if (line.error() != null) {
            return RawRecord.bad(line.number(), line.text(), line.error());
        }
        JsonNode node;
        try {
            node = json.readTree(line.text());
        } catch (JsonProcessingException e) {
            return RawRecord.bad(line.number(), line.text(), "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return RawRecord.bad(line.number(), line.text(), "not a JSON object");
        }
        String[] values = new String[fieldNames.length];
        for (int i = 0; i < fieldNames.length; i++) {
            JsonNode value = node.get(fieldNames[i]);
            if (value == null || value.isNull()) {
                continue;
            }
            if (value.isContainerNode()) {
                return RawRecord.bad(line.number(), line.text(), "field '" + fieldNames[i] + "' is not a single value");
            }
            values[i] = value.asText();
        }
        return new RawRecord(line.number(), line.text(), values, null);
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}
