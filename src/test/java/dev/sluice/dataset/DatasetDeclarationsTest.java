package dev.sluice.dataset;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetDeclarationsTest {

    private static List<DatasetDefinition> parse(String yaml) {
        return DatasetDeclarations.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }

    @Test
    void theShippedDeclarationsLoadAndMatchTheirFiles() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/datasets.yaml")) {
            List<DatasetDefinition> datasets = DatasetDeclarations.parse(in, "datasets.yaml");
            DatasetDefinition rain = datasets.stream().filter(d -> d.name().equals("rain-gauge-readings")).findFirst().orElseThrow();
            assertEquals("rain_readings", rain.table());
            assertEquals(List.of("gauge_id", "observed_at"), rain.naturalKey());
            assertTrue(rain.matches("rain-2024.csv"));
            assertTrue(rain.matches("rain_gauge.ndjson"));
            assertEquals("ndjson", rain.formatOf("rain.ndjson"));
            assertEquals('\t', rain.delimiterOf("rain.tsv"));
            assertTrue(datasets.stream().anyMatch(d -> d.table().equals("datasets")));
        }
    }

    @Test
    void naturalKeyColumnsAreAlwaysRequired() {
        DatasetDefinition d = parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                columns: [{name: id, type: int, required: false}]
                """).get(0);
        assertTrue(d.columns().get(0).required());
    }

    @Test
    void retentionIsDeclaredPerDatasetAndAbsentMeansForever() {
        DatasetDefinition kept = parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                columns: [{name: id, type: int}, {name: at, type: timestamp}]
                """).get(0);
        assertEquals(DatasetDefinition.Retention.FOREVER, kept.retention());
        DatasetDefinition purged = parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                retention: {raw: 90d, rows: 3650d, rowsBy: at}
                columns: [{name: id, type: int}, {name: at, type: timestamp}]
                """).get(0);
        assertEquals(java.time.Duration.ofDays(90), purged.retention().raw());
        assertEquals(java.time.Duration.ofDays(3650), purged.retention().rows());
        assertEquals("at", purged.retention().rowsColumn());
        assertEquals("90d", dev.sluice.config.YamlFields.format(purged.retention().raw()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                retention: {rows: 30d, rowsBy: id}
                columns: [{name: id, type: int}]
                """)).getMessage().contains("rowsBy must name a timestamp column"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                retention: {raw: soon}
                columns: [{name: id, type: int}]
                """)).getMessage().contains("'soon' is not a duration"));
    }

    @Test
    void mistakesAreReportedWithWhereTheyAre() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [nope]
                columns: [{name: id, type: int}]
                """)).getMessage().contains("naturalKey column 'nope'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("""
                name: x
                files: ["*.csv"]
                table: "x; drop table y"
                naturalKey: [id]
                columns: [{name: id, type: int}]
                """)).getMessage().contains("SQL identifier"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("""
                name: x
                files: ["*.csv"]
                table: x
                naturalKey: [id]
                columns: [{name: id, type: money}]
                """)).getMessage().contains("unknown column type 'money'"));
    }
}
