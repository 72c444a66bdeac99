package dev.sluice.rows;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.NotFoundException;
import dev.sluice.dataset.DatasetDeclarations;
import dev.sluice.dataset.DatasetDefinition;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JSON row and a request URI read against a declaration, without a database. */
class RowValuesTest {

    private static final DatasetDefinition READINGS = DatasetDeclarations.parse(new ByteArrayInputStream("""
            name: readings
            files: ["r*.csv"]
            table: readings
            naturalKey: [station, at]
            writable: true
            columns:
              - {name: station, type: text, maxLength: 8}
              - {name: at, type: timestamp, format: iso, zone: UTC}
              - {name: depth_m, type: decimal, precision: 6, scale: 2, required: false}
              - {name: samples, type: int, required: false}
              - {name: checked, type: boolean, required: false}
            """.getBytes(StandardCharsets.UTF_8)), "test.yaml").get(0);
    private static final RowTable TABLE = new RowTable(READINGS, true);

    private static Map<String, Object> json(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static String refusal(Map<String, Object> body) {
        return assertThrows(BadRequestException.class, () -> RowValues.row(TABLE, body, null)).getMessage();
    }

    @Test
    void valuesOfEveryTypeShouldBecomeWhatPostgresqlReads() {
        Map<String, String> row = RowValues.row(TABLE, json("station", "S1", "at", "2024-07-01T00:00:00Z",
                "depth_m", 1234.5, "samples", 12, "checked", true), null);
        assertEquals("S1", row.get("station"));
        assertTrue(row.get("at").startsWith("2024-07-01 00:00:00"), row.get("at"));
        assertEquals("1234.5", row.get("depth_m"));
        assertEquals("12", row.get("samples"));
        assertEquals("t", row.get("checked"));
        // decimals exact as strings or JSON numbers; absent optional columns are null
        assertEquals("0.25", RowValues.row(TABLE, json("station", "S1", "at", "2024-07-01", "depth_m", "0.25"), null).get("depth_m"));
        assertEquals("3", RowValues.row(TABLE, json("station", "S1", "at", "2024-07-01", "depth_m", new BigDecimal("3")), null).get("depth_m"));
        assertNull(RowValues.row(TABLE, json("station", "S1", "at", "2024-07-01"), null).get("samples"));
    }

    @Test
    void decimalsShouldKeepToTheDeclaredPrecisionAndScale() {
        assertTrue(refusal(json("station", "S1", "at", "2024-07-01", "depth_m", 1.234)).contains("depth_m: '1.234' has 3 digits after the point"));
        assertTrue(refusal(json("station", "S1", "at", "2024-07-01", "depth_m", 123456.0)).contains("depth_m: '123456.0' is out of range for numeric(6,2)"));
        assertEquals("1.20", RowValues.row(TABLE, json("station", "S1", "at", "2024-07-01", "depth_m", "1.20"), null).get("depth_m"));
    }

    @Test
    void everyProblemShouldBeNamedByItsField() {
        String message = refusal(json("station", "TOO-LONG-ID", "samples", 1.5, "checked", "maybe", "colour", "red", "ingest_run_id", 3));
        for (String expected : List.of("unknown field 'colour'", "ingest_run_id: set by Sluice", "station: longer than 8",
                "at: required", "samples: '1.5' is not an integer", "checked: 'maybe' is not a boolean")) {
            assertTrue(message.contains(expected), message);
        }
        assertTrue(refusal(json("station", 7, "at", "2024-07-01")).contains("station: a string expected, not a number"));
        assertTrue(refusal(json("station", "S1", "at", List.of())).contains("at: a string expected, not an array"));
    }

    @Test
    void aReplacementShouldTakeItsKeyFromThePath() {
        List<String> key = RowValues.key(TABLE, List.of("S1", "2024-07-01T00:00:00Z"));
        Map<String, String> row = RowValues.row(TABLE, json("samples", 3), key);
        assertEquals("S1", row.get("station"));
        assertEquals(key.get(1), row.get("at"));
        assertTrue(assertThrows(BadRequestException.class, () -> RowValues.row(TABLE, json("station", "S2"), key))
                .getMessage().contains("station: is part of the key and differs from the path's"));
        assertTrue(assertThrows(NotFoundException.class, () -> RowValues.key(TABLE, List.of("S1")))
                .getMessage().contains("station/at (2 path segments"));
        assertTrue(assertThrows(BadRequestException.class, () -> RowValues.key(TABLE, List.of("S1", "soon")))
                .getMessage().startsWith("at: "));
    }

    @Test
    void aRequestUriShouldNameDatasetKeyAndFilters() {
        RowRequest request = RowRequest.of("/datasets/rain-gauge-readings/rows/G%201/2024-07-01T08:00:00+07:00?name=a&x.gte=1%2B1&name=b&flag");
        assertEquals("rain-gauge-readings", request.dataset());
        assertEquals(List.of("G 1", "2024-07-01T08:00:00+07:00"), request.key());
        assertEquals(List.of("a", "b"), request.query().get("name"));
        assertEquals("1+1", request.query().get("x.gte"));
        assertEquals("", request.query().get("flag"));
        assertEquals(List.of(), RowRequest.of("/datasets/datasets/rows/").key());
        assertEquals("datasets", RowRequest.of("/datasets/datasets").dataset());
    }
}
