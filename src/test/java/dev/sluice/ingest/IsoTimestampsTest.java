package dev.sluice.ingest;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class IsoTimestampsTest {

    private final IsoTimestamps phoenix = new IsoTimestamps(ZoneId.of("America/Phoenix").getRules());
    private final IsoTimestamps berlin = new IsoTimestamps(ZoneId.of("Europe/Berlin").getRules());

    @Test
    void theCommonShapesAreAcceptedAndWrittenWithTheirOffset() {
        assertEquals("2024-01-01 00:15:00-07:00", phoenix.convert("2024-01-01 00:15"));
        assertEquals("2024-01-01 00:15:30-07:00", phoenix.convert("2024-01-01T00:15:30"));
        assertEquals("2024-01-01 00:00:00-07:00", phoenix.convert("2024-01-01"));
        assertEquals("2024-01-01 00:15:30.25+00:00", phoenix.convert("2024-01-01T00:15:30.25Z"));
        assertEquals("2024-01-01 00:15:00+05:30", phoenix.convert("2024-01-01 00:15+05:30"));
        assertEquals("2024-01-01 00:15:00-02:00", phoenix.convert("2024-01-01 00:15-0200"));
    }

    @Test
    void daylightSavingTimeFollowsTheZone() {
        assertEquals("2024-01-15 12:00:00+01:00", berlin.convert("2024-01-15 12:00"));
        assertEquals("2024-07-15 12:00:00+02:00", berlin.convert("2024-07-15 12:00"));
        assertEquals("2024-01-15 13:00:00+01:00", berlin.convert("2024-01-15 13:00"));
    }

    @Test
    void everyLocalTimeGetsTheZonesOffsetAcrossTransitionsGapsAndOverlaps() {
        // rows in time order, as files have them: the offset is reused between transitions, never across one
        DateTimeFormatter text = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        for (String name : new String[] {"Europe/Berlin", "America/Phoenix", "Australia/Lord_Howe", "America/Sao_Paulo"}) {
            ZoneId zone = ZoneId.of(name);
            IsoTimestamps iso = new IsoTimestamps(zone.getRules());
            for (LocalDateTime t = LocalDateTime.of(1965, 1, 1, 0, 0); t.getYear() < 2025; t = t.plusMinutes(t.getYear() < 2023 ? 997 : 7)) {
                long expected = (ZonedDateTime.of(t, zone).toEpochSecond() - BinaryCopyBuffer.POSTGRES_EPOCH_SECONDS) * 1_000_000L;
                assertEquals(expected, iso.micros(t.format(text)), name + " " + t);
            }
            // and out of order: a value far back after a recent one
            assertEquals((ZonedDateTime.of(LocalDateTime.of(1970, 6, 1, 12, 0), zone).toEpochSecond() - BinaryCopyBuffer.POSTGRES_EPOCH_SECONDS)
                         * 1_000_000L, iso.micros("1970-06-01 12:00"), name);
        }
    }

    @Test
    void impossibleOrMalformedValuesAreRefused() {
        assertNull(phoenix.convert("2024-02-30 00:00"));
        assertNull(phoenix.convert("2023-02-29"));
        assertNull(phoenix.convert("2024-13-01"));
        assertNull(phoenix.convert("2024-01-01 24:00"));
        assertNull(phoenix.convert("2024-01-01 10:60"));
        assertNull(phoenix.convert("0000-01-01"));
        assertNull(phoenix.convert("2024/01/01"));
        assertNull(phoenix.convert("2024-01-01 10"));
        assertNull(phoenix.convert("2024-01-01 10:00 extra"));
        assertNull(phoenix.convert("2024-01-01 10:00+25:00"));
        assertNull(phoenix.convert("yesterday"));
    }

    @Test
    void plainDecimalsSkipBigDecimalAndEverythingElseFallsThrough() {
        assertEquals("12.50", ValueConverter.plainDecimal("12.50", 5));
        assertEquals("-0.5", ValueConverter.plainDecimal("-0.5", 5));
        assertEquals("3", ValueConverter.plainDecimal("+3", 5));
        assertEquals(".5", ValueConverter.plainDecimal(".5", 5));
        assertEquals("00012.5", ValueConverter.plainDecimal("00012.5", 2), "leading zeros are not digits of the value");
        assertNull(ValueConverter.plainDecimal("123.4", 2), "over the integer digits: the general path reports it");
        assertNull(ValueConverter.plainDecimal("1e3", 5));
        assertNull(ValueConverter.plainDecimal(".", 5));
        assertNull(ValueConverter.plainDecimal("-", 5));
        assertNull(ValueConverter.plainDecimal("1.2.3", 5));
        assertNull(ValueConverter.plainDecimal("", 5));
    }
}
