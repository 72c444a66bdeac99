package dev.sluice.http;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PeriodsTest {

    @Test
    void aWaterYearRunsFromOctoberToSeptember() {
        assertEquals(2025, Periods.waterYearOf(LocalDate.of(2024, 10, 1)));
        assertEquals(2024, Periods.waterYearOf(LocalDate.of(2024, 9, 30)));
        assertArrayEquals(new LocalDate[] {LocalDate.of(2023, 10, 1), LocalDate.of(2024, 9, 30)}, Periods.waterYearDays(2024));
        assertEquals("2027", Periods.current(Periods.Kind.WATER_YEAR, LocalDate.of(2026, 11, 22)));
        assertEquals("2026", Periods.previous(Periods.Kind.WATER_YEAR, "2027"));
    }

    @Test
    void rangesListEveryPeriodOldestFirst() {
        assertEquals(15, Periods.between(Periods.Kind.WATER_YEAR, "2010", "2024").size());
        assertEquals(List.of("2023-11", "2023-12", "2024-01"), Periods.between(Periods.Kind.MONTH, "2023-11", "2024-01"));
        assertEquals("2023-12", Periods.previous(Periods.Kind.MONTH, "2024-01"));
    }

    @Test
    void urlTemplatesAreFilledAndEncodedAndMissingValuesAreErrors() {
        assertEquals("https://district.example/rain/wy2024.xlsx",
                Periods.expand("https://district.example/rain/wy{water_year}.xlsx", Periods.variables(Periods.Kind.WATER_YEAR, "2024")));
        assertEquals("https://district.example/gauges/G%2010.json",
                Periods.expand("https://district.example/gauges/{gauge_id}.json", Map.of("gauge_id", "G 10")));
        assertThrows(IllegalArgumentException.class, () -> Periods.expand("/x/{gauge_id}", Map.of()));
    }

    @Test
    void aPeriodIsValidOnlyInItsSourcesFormat() {
        assertEquals("2024", Periods.validate(Periods.Kind.WATER_YEAR, "2024"));
        assertEquals("2024-03", Periods.validate(Periods.Kind.MONTH, "2024-03"));
        assertEquals("latest", Periods.validate(Periods.Kind.LATEST, "latest"));
        assertEquals("GM-1", Periods.validate(Periods.Kind.GAUGE, "GM-1"));
        assertEquals("G 10", Periods.validate(Periods.Kind.GAUGE, "G 10"));
        for (String bad : List.of("../", "..", "2024/..", "20245", "-5", "0999", "2024-03", " 2024", "")) {
            assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.WATER_YEAR, bad), bad);
            assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.YEAR, bad), bad);
        }
        for (String bad : List.of("2024-13", "2024-00", "2024-3", "2024", "2024-03/..")) {
            assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.MONTH, bad), bad);
        }
        for (String bad : List.of("../x", "..", "a..b", "a/b", " a", "a ", "x".repeat(65), "%2F")) {
            assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.GAUGE, bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.LATEST, "../latest"));
        assertThrows(IllegalArgumentException.class, () -> Periods.validate(Periods.Kind.WATER_YEAR, null));
    }
}
