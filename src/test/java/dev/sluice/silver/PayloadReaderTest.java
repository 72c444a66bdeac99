package dev.sluice.silver;

import dev.sluice.ingest.BadValueException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadReaderTest {

    private static SilverTable table() throws Exception {
        try (var in = SilverTables.class.getResourceAsStream("/silver-tables.yaml")) {
            return SilverTables.parse(in, "silver-tables.yaml").get(0);
        }
    }

    @Test
    void aPayloadBecomesTypedValuesWhateverExtraFieldsItHas() throws Exception {
        SilverTable table = table();
        Object[] row = new PayloadReader(table.columns()).read("""
                {"order_id": "o1", "symbol": "ACME", "side": "buy", "quantity": 10.5, "price": "100.25", "status": "filled",
                 "executed_at": "2025-04-01T14:00:00+02:00", "slippage_bps": -3, "venue": "XNAS", "nested": {"a": 1}}""");
        assertEquals(new BigDecimal("10.500000"), row[table.indexOf("quantity")]);
        assertEquals(new BigDecimal("100.250000"), row[table.indexOf("price")]);
        assertEquals(Instant.parse("2025-04-01T12:00:00Z"), row[table.indexOf("executed_at")]);
        assertEquals(new BigDecimal("-3.00"), row[table.indexOf("slippage_bps")]);
        assertNull(row[table.indexOf("stop_price")], "a missing optional field is null");
    }

    @Test
    void whatCannotBeReadSaysWhichFieldAndWhy() throws Exception {
        PayloadReader reader = new PayloadReader(table().columns());
        String base = "\"order_id\": \"o1\", \"side\": \"buy\", \"price\": 1, \"status\": \"filled\", "
                + "\"executed_at\": \"2025-04-01T14:00:00Z\"";
        assertTrue(assertThrows(BadValueException.class, () -> reader.read("{" + base + ", \"quantity\": 1}")).getMessage()
                .contains("symbol: missing required field 'symbol'"));
        assertTrue(assertThrows(BadValueException.class, () -> reader.read("{" + base + ", \"symbol\": \"A\", \"quantity\": \"lots\"}"))
                .getMessage().startsWith("quantity:"));
        assertTrue(assertThrows(BadValueException.class, () -> reader.read("[1, 2]")).getMessage().contains("not a JSON object"));
        assertTrue(assertThrows(BadValueException.class, () -> reader.read("{oops")).getMessage().contains("not JSON"));
        assertTrue(assertThrows(BadValueException.class, () -> reader.read("{" + base + ", \"quantity\": 1, \"symbol\": {\"x\": 1}}"))
                .getMessage().contains("not a single value"));
    }

    @Test
    void declarationsAreChecked() {
        String yaml = """
                tables:
                  - name: t
                    eventTypes: [E]
                    partitionBy: nope
                    columns: [{name: at, type: timestamp}]
                """;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SilverTables.parse(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "x.yaml")).getMessage().contains("partitionBy"));
    }

    @Test
    void theShippedTableIsStopExecutions() throws Exception {
        assertEquals("stop_executions", table().name());
        assertEquals(List.of("StopOrderExecuted"), table().eventTypes());
    }
}
