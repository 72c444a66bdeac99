package dev.sluice.it;

import dev.sluice.dataset.DatasetRegistry;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables made from declarations, while Sluice runs: a declaration dropped into SLUICE_DATASETS_DIR gets
 * its table (key, lineage column) and its files; a gained column is added; a type change stops that
 * dataset only, its table untouched and its files waiting; every loaded row traces to its file.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class DeclaredTablesTest {

    @Inject
    Landing landing;
    @Inject
    DatasetRegistry registry;
    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "sluice.datasets.dir")
    Path declarations;

    private static final String STATIONS = """
            datasets:
              - name: tables-stations
                files: ["tstations-*.csv"]
                table: tables_stations
                naturalKey: [station_id]
                columns:
                  - {name: station_id, type: text, maxLength: 16}
                  - {name: elevation_m, type: decimal, precision: 6, scale: 1, required: false}
                  - {name: sensors, type: int, required: false}
                  - {name: opened_at, type: timestamp, format: iso, required: false}
                  - {name: active, type: boolean, required: false}
            """;

    @Test
    void aDeclarationDroppedInWhileSluiceRunsShouldGetItsTableAndItsFilesLoadedWithLineage() throws Exception {
        try {
            // given a declaration dropped into the datasets directory while Sluice runs
            declare("tables-stations.yaml", STATIONS);

            // then its table appears: declared types, the key, the lineage column
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> !columns("tables_stations").isEmpty());
            assertEquals(Map.of("station_id", "text", "elevation_m", "numeric(6,1)", "sensors", "bigint",
                    "opened_at", "timestamp with time zone", "active", "boolean", "ingest_run_id", "bigint"), columns("tables_stations"));
            assertEquals(List.of("station_id"), primaryKey("tables_stations"));

            // and a file for it dropped in the inbox is loaded
            String first = """
                    station_id,elevation_m,sensors,opened_at,active
                    ST-1,1234.5,3,2020-05-01T00:00:00Z,true
                    ST-2,88.0,1,,false
                    """;
            landing.drop("tstations-1.csv", first);
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from tables_stations") == 2);

            // and each row traces through its run to the file, its sha256 and its source
            Map<String, Object> lineage = landing.rows("""
                    select r.ingest_run_id, i.source as run_source, i.subject, l.source, l.identity, l.content_hash
                    from tables_stations r join ingest_run i on i.id = r.ingest_run_id join file_ledger l on l.id = i.ledger_id
                    where r.station_id = 'ST-1'""").get(0);
            assertEquals("landing", lineage.get("run_source"));
            assertEquals("landing", lineage.get("source"));
            assertEquals("tstations-1.csv", lineage.get("identity"));
            assertEquals(sha256(first), lineage.get("content_hash"));
            long firstRun = ((Number) lineage.get("ingest_run_id")).longValue();

            // when the declaration gains a column
            declare("tables-stations.yaml", STATIONS + "      - {name: operator, type: text, maxLength: 40, required: false}\n");

            // then the table gains it, nullable
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> columns("tables_stations").containsKey("operator"));
            assertEquals("YES", landing.rows("""
                    select is_nullable from information_schema.columns
                    where table_schema = current_schema() and table_name = 'tables_stations' and column_name = 'operator'""")
                    .get(0).get("is_nullable"));

            // and a file with it loads: a changed row and a new one take the new run, the unchanged row keeps its run
            landing.drop("tstations-2.csv", """
                    station_id,elevation_m,sensors,opened_at,active,operator
                    ST-1,1234.5,4,2020-05-01T00:00:00Z,true,district
                    ST-2,88.0,1,,false,
                    ST-3,12.0,2,,true,county
                    """);
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from tables_stations") == 3);
            long secondRun = landing.count("""
                    select i.id from ingest_run i join file_ledger l on l.id = i.ledger_id
                    where l.identity = 'tstations-2.csv' and i.outcome = 'loaded'""");
            Map<String, Object> changed = landing.rows("select * from tables_stations where station_id = 'ST-1'").get(0);
            assertEquals(4L, changed.get("sensors"));
            assertEquals("district", changed.get("operator"));
            assertEquals(secondRun, ((Number) changed.get("ingest_run_id")).longValue());
            assertEquals(firstRun, landing.count("select ingest_run_id from tables_stations where station_id = 'ST-2'"));
            assertEquals(secondRun, landing.count("select ingest_run_id from tables_stations where station_id = 'ST-3'"));
            assertEquals(new BigDecimal("12.0"), landing.rows("select elevation_m from tables_stations where station_id = 'ST-3'")
                    .get(0).get("elevation_m"));
        } finally {
            forget("tables-stations.yaml", "tables_stations");
        }
    }

    @Test
    void aTypeChangeShouldStopThatDatasetOnlyAndLeaveItsTableAndItsFilesAlone() throws Exception {
        String meters = """
                name: tables-meters
                files: ["tmeters-*.csv"]
                table: tables_meters
                naturalKey: [meter_id]
                columns:
                  - {name: meter_id, type: text, maxLength: 16}
                  - {name: reading, type: int}
                """;
        try {
            declare("tables-meters.yaml", meters);
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> "bigint".equals(columns("tables_meters").get("reading")));

            // when its declaration changes a column's type
            declare("tables-meters.yaml", meters.replace("{name: reading, type: int}",
                    "{name: reading, type: decimal, precision: 8, scale: 2}"));

            // then the dataset stops with a reason naming the file, the column and both types
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> registry.stopped().containsKey("tables-meters"));
            String reason = registry.stopped().get("tables-meters");
            assertTrue(reason.contains("tables-meters.yaml") && reason.contains("column reading is bigint in the table but declared decimal(8,2)"),
                    reason);
            RestAssured.given().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("tables-meters"), containsString("column reading is bigint"));

            // and its table is as it was
            assertEquals(Map.of("meter_id", "text", "reading", "bigint", "ingest_run_id", "bigint"), columns("tables_meters"));

            // and its file waits in the inbox while another dataset's file still loads
            landing.drop("tmeters-1.csv", "meter_id,reading\nM-1,17.25\n");
            landing.drop("rain-tables-other.csv", "gauge_id,observed_at,rainfall_in\nTBL-1,2024-02-01 00:15,0.2\n");
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from rain_readings where gauge_id = 'TBL-1'") == 1);
            Thread.sleep(1500); // a few more polls of the inbox
            assertTrue(Files.exists(landing.inbox().resolve("tmeters-1.csv")));
            assertFalse(Files.exists(landing.error().resolve("tmeters-1.csv")));
            assertEquals(0, landing.count("select count(*) from tables_meters"));

            // when the table is changed by hand as the declaration asks, the dataset resumes and its file loads
            execute("alter table tables_meters alter column reading type numeric(8, 2)");
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from tables_meters") == 1);
            assertEquals(new BigDecimal("17.25"), landing.rows("select reading from tables_meters").get(0).get("reading"));
            assertNull(registry.stopped().get("tables-meters"));
        } finally {
            forget("tables-meters.yaml", "tables_meters");
            execute("delete from rain_readings where gauge_id = 'TBL-1'");
        }
    }

    /** Writes a declaration beside the directory and moves it in, as an operator's tool would. */
    private void declare(String name, String yaml) throws Exception {
        Files.createDirectories(declarations);
        Path staging = Files.createTempFile(declarations.getParent(), "declaration", ".tmp");
        Files.writeString(staging, yaml);
        Files.move(staging, declarations.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes the declaration, waits until Sluice no longer knows it, then drops its table. */
    private void forget(String declaration, String table) throws Exception {
        Files.deleteIfExists(declarations.resolve(declaration));
        String dataset = declaration.replace(".yaml", "");
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> registry.named(dataset).isEmpty() && !registry.stopped().containsKey(dataset));
        execute("drop table if exists " + table);
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private Map<String, String> columns(String table) throws Exception {
        Map<String, String> columns = new java.util.LinkedHashMap<>();
        for (Map<String, Object> row : landing.rows("""
                select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns
                where table_schema = current_schema() and table_name = ?""", table)) {
            String type = (String) row.get("data_type");
            columns.put((String) row.get("column_name"), "numeric".equals(type)
                    ? "numeric(" + row.get("numeric_precision") + "," + row.get("numeric_scale") + ")" : type);
        }
        return columns;
    }

    private List<String> primaryKey(String table) throws Exception {
        return landing.rows("""
                select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
                where i.indrelid = ?::regclass and i.indisprimary order by a.attnum""", table)
                .stream().map(r -> (String) r.get("attname")).toList();
    }

    private static String sha256(String content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    }
}
