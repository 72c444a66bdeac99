package dev.sluice.dataset;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table a declaration asks for, and which differences from an existing table Sluice makes or refuses. */
class DatasetTablesTest {

    private static final DatasetDefinition STATIONS = DatasetDeclarations.parse(new ByteArrayInputStream("""
            name: stations
            files: ["stations*.csv"]
            table: stations
            naturalKey: [network, station_id]
            columns:
              - {name: network, type: text, maxLength: 8}
              - {name: station_id, type: text, maxLength: 16}
              - {name: elevation_m, type: decimal, precision: 6, scale: 1, required: false}
              - {name: sensors, type: int, required: false}
              - {name: opened_at, type: timestamp, format: iso, required: false}
              - {name: active, type: boolean, required: false}
            """.getBytes(StandardCharsets.UTF_8)), "stations.yaml").get(0);

    private static Map<String, DatasetTables.ExistingColumn> existing(DatasetTables.ExistingColumn... columns) {
        Map<String, DatasetTables.ExistingColumn> map = new LinkedHashMap<>();
        for (DatasetTables.ExistingColumn column : columns) {
            map.put(column.name(), column);
        }
        return map;
    }

    private static DatasetTables.ExistingColumn column(String name, String type) {
        return new DatasetTables.ExistingColumn(name, type, null, null, null);
    }

    private static DatasetTables.ExistingColumn[] asCreated() {
        return new DatasetTables.ExistingColumn[] {
                column("network", "text"), column("station_id", "character varying"),
                new DatasetTables.ExistingColumn("elevation_m", "numeric", null, 6, 1), column("sensors", "bigint"),
                column("opened_at", "timestamp with time zone"), column("active", "boolean"), column("ingest_run_id", "bigint")};
    }

    @Test
    void aDeclarationBecomesATableWithItsTypesItsKeyAndTheLineageColumn() {
        assertEquals("create table stations (network text not null, station_id text not null, elevation_m numeric(6, 1), "
                     + "sensors bigint, opened_at timestamptz, active boolean, ingest_run_id bigint, "
                     + "primary key (network, station_id))", DatasetTables.createSql(STATIONS));
    }

    @Test
    void aTableThatMatchesNeedsNothing() throws Exception {
        assertEquals(List.of(), DatasetTables.changes(STATIONS, existing(asCreated()), List.of("station_id", "network"), Set.of()));
    }

    @Test
    void aGainedColumnIsAdded() throws Exception {
        Map<String, DatasetTables.ExistingColumn> table = existing(asCreated());
        table.remove("active");
        List<ColumnDefinition> missing = DatasetTables.changes(STATIONS, table, List.of("network", "station_id"), Set.of());
        assertEquals(List.of("active"), missing.stream().map(ColumnDefinition::name).toList());
        assertEquals(List.of("alter table stations add column active boolean"),
                DatasetTables.addColumnsSql("stations", missing, false));
    }

    @Test
    void aTypeChangeIsRefusedNamingTheColumnAndBothTypes() {
        Map<String, DatasetTables.ExistingColumn> table = existing(asCreated());
        table.put("elevation_m", new DatasetTables.ExistingColumn("elevation_m", "numeric", null, 8, 2));
        table.put("sensors", column("sensors", "text"));
        var refused = assertThrows(DatasetTables.RefusedChangeException.class,
                () -> DatasetTables.changes(STATIONS, table, List.of("network", "station_id"), Set.of()));
        assertTrue(refused.getMessage().contains("column elevation_m is numeric(8,2) in the table but declared decimal(6,1)"), refused.getMessage());
        assertTrue(refused.getMessage().contains("column sensors is text in the table but declared int"), refused.getMessage());
    }

    @Test
    void aKeyChangeIsRefused() {
        var refused = assertThrows(DatasetTables.RefusedChangeException.class,
                () -> DatasetTables.changes(STATIONS, existing(asCreated()), List.of("station_id"), Set.of()));
        assertTrue(refused.getMessage().contains("primary key is [station_id] but the declared naturalKey is [network, station_id]"),
                refused.getMessage());
    }

    @Test
    void aDroppedColumnIsRefusedUnlessAnotherDeclarationOfTheTableHasIt() throws Exception {
        Map<String, DatasetTables.ExistingColumn> table = existing(asCreated());
        table.put("owner", column("owner", "text"));
        var refused = assertThrows(DatasetTables.RefusedChangeException.class,
                () -> DatasetTables.changes(STATIONS, table, List.of("network", "station_id"), Set.of()));
        assertTrue(refused.getMessage().contains("column owner in the table but no longer declared"), refused.getMessage());
        // two declarations feeding one table (as rain CSVs and rain workbooks do) each declare part of it
        assertEquals(List.of(), DatasetTables.changes(STATIONS, table, List.of("network", "station_id"), Set.of("owner")));
    }

    @Test
    void aVarcharTooShortForTheDeclaredLengthIsATypeChange() {
        Map<String, DatasetTables.ExistingColumn> table = existing(asCreated());
        table.put("station_id", new DatasetTables.ExistingColumn("station_id", "character varying", 10, null, null));
        var refused = assertThrows(DatasetTables.RefusedChangeException.class,
                () -> DatasetTables.changes(STATIONS, table, List.of("network", "station_id"), Set.of()));
        assertTrue(refused.getMessage().contains("column station_id is varchar(10) in the table but declared text(maxLength 16)"),
                refused.getMessage());
    }
}
