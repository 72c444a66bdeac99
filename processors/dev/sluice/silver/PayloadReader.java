package dev.sluice.silver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.dataset.ColumnDefinition;
import dev.sluice.ingest.BadValueException;
import dev.sluice.ingest.ValueConverter;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Reads an event's JSON payload into a silver table's typed columns, with the same type rules as
 * dataset files. Extra fields are ignored; a missing optional field is null.
 */
public final class PayloadReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ColumnDefinition> columns;
    private final List<ValueConverter> converters;

    public PayloadReader(List<ColumnDefinition> columns) {
        this.columns = columns;
        this.converters = columns.stream().map(ValueConverter::of).toList();
    }

    /** The column values (Long, BigDecimal, String, Boolean, Instant or null). */
    public Object[] read(String payload) throws BadValueException {
        JsonNode node;
        try {
            node = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new BadValueException("payload is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadValueException("payload is not a JSON object");
        }
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            ColumnDefinition column = columns.get(i);
            JsonNode value = node.get(column.field());
            if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
                if (column.required()) {
                    throw new BadValueException(column.name() + ": missing required field '" + column.field() + "'");
                }
                continue;
            }
            if (!value.isValueNode()) {
                throw new BadValueException(column.name() + ": '" + column.field() + "' is not a single value");
            }
            String text;
            try {
                text = converters.get(i).convert(value.asText());
            } catch (BadValueException e) {
                throw new BadValueException(column.name() + ": " + e.getMessage());
            }
            values[i] = switch (column.type()) {
                case TEXT -> text;
                case INT -> Long.parseLong(text);
                case DECIMAL -> decimal(column, text);
                case BOOLEAN -> "t".equals(text);
                case TIMESTAMP -> OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
            };
        }
        return values;
    }

    private static BigDecimal decimal(ColumnDefinition column, String text) throws BadValueException {
        int scale = column.precision() > 0 ? column.scale() : 6;
        try {
            return new BigDecimal(text).setScale(scale);
        } catch (ArithmeticException e) {
            throw new BadValueException(column.name() + ": '" + text + "' has more than " + scale + " decimals");
        }
    }
}
