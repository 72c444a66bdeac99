package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.outbox.BronzePublisher;
import dev.sluice.outbox.OutboxDatabase;
import dev.sluice.outbox.OutboxTable;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outbox → bronze → silver with real Parquet, read back by DuckDB: every event in bronze exactly
 * once in its date partition, also across a crash between writing a batch and marking it; silver
 * rows typed, partitioned by client and date, deduplicated, bad payloads dead-lettered.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class DeepStorageTest {

    @Inject
    Landing landing;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    BronzePublisher publisher;
    @Inject
    ProducerTemplate routes;
    @Inject
    CamelContext camel;

    @Test
    void tenThousandEventsShouldLandInBronzeOnceEachInTheirDatePartition() throws Exception {
        publishPending();
        execute("""
                insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at)
                select 'order', 'OrderPlaced', 'bronze-' || (g % 7), jsonb_build_object('n', g, 'note', 'é ' || g),
                       timestamptz '2025-03-01 00:00:00+00' + (g % 3) * interval '1 day' + (g % 3600) * interval '1 second'
                from generate_series(1, 10000) g""");

        long stored = completed("bronze-store-batch");
        long marked = completed("bronze-mark-published");

        Map<String, Object> result = publishPending();

        assertEquals(10000L, result.get("events"));
        // one batch (10,000 events) through the route's stages: stored, then marked published and on record
        assertEquals(1L, result.get("batches") instanceof Number n ? n.longValue() : -1);
        assertEquals(stored + 1, completed("bronze-store-batch"));
        assertEquals(marked + 1, completed("bronze-mark-published"));
        assertEquals(1, landing.count("select count(*) from ingest_run where source = 'outbox' and kind = 'batch' and outcome = 'published'"
                + " and rows_loaded = 10000 and message like '%date=2025-03-0%'"));
        assertEquals(0, landing.count("select count(*) from outbox where client_id like 'bronze-%' and published_at is null"));
        try (Connection duck = bronze()) {
            assertEquals(10000, scalar(duck, "select count(*) from bronze where client_id like 'bronze-%'"));
            assertEquals(10000, scalar(duck, "select count(distinct event_id) from bronze where client_id like 'bronze-%'"));
            assertEquals(0, scalar(duck, """
                    select count(*) from bronze where client_id like 'bronze-%'
                    and cast(timezone('UTC', occurred_at) as date) <> cast(date as date)"""));
            assertEquals(3, scalar(duck, "select count(distinct date) from bronze where client_id like 'bronze-%'"));
            // the rows are the outbox's rows, payload kept as JSON text
            assertEquals(landing.count("select sum(event_id) from outbox where client_id like 'bronze-%'"),
                    scalar(duck, "select sum(event_id) from bronze where client_id like 'bronze-%'"));
            assertEquals("é 42", text(duck, "select json_extract_string(payload, '$.note') from bronze where payload like '%\"n\": 42,%'"));
            Map<String, String> types = types(duck, "bronze");
            assertEquals("BIGINT", types.get("event_id"));
            assertEquals("TIMESTAMP WITH TIME ZONE", types.get("occurred_at"));
            assertEquals("VARCHAR", types.get("payload"));
        }
    }

    @Test
    void aCrashBetweenWritingAndMarkingShouldNeitherLoseNorDuplicate() throws Exception {
        publishPending();
        execute("""
                insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at)
                select 'order', 'OrderPlaced', 'crash-test', jsonb_build_object('n', g), timestamptz '2025-05-05 12:00:00+00' + g * interval '1 minute'
                from generate_series(1, 2500) g""");
        BronzePublisher.Claimed claimed = publisher.claim();
        long batch = claimed.batch();
        BronzePublisher.Written written = publisher.store(claimed);
        // killed here: the files are stored, the batch is not marked
        assertEquals(2500, written.events());
        assertEquals(2500, landing.count("select count(*) from outbox where client_id = 'crash-test' and published_at is null"));

        publishPending();

        assertEquals(0, landing.count("select count(*) from outbox where client_id = 'crash-test' and published_at is null"));
        assertEquals(1, landing.count("select count(*) from bronze_batch where id = ? and status = 'published'", batch));
        try (Connection duck = bronze()) {
            assertEquals(2500, scalar(duck, "select count(*) from bronze where client_id = 'crash-test'"));
            assertEquals(2500, scalar(duck, "select count(distinct event_id) from bronze where client_id = 'crash-test'"));
        }
    }

    @Test
    void anApplicationsOutboxInItsOwnPostgresShouldLandInBronzeOnceAndBeMarkedPublishedThere() throws Exception {
        Path dir = Files.createTempDirectory("sluice-shop-db-");
        try (EmbeddedPostgresServer shop = EmbeddedPostgresServer.start(dir.resolve("postgres"));
             AgroalDataSource shopDb = OutboxDatabase.open(shop.jdbcUrl(), shop.username(), shop.password())) {
            // a Django app's outbox (see README): its own names, no aggregate or client column; 3 events its
            // previous publisher already published, 1,500 waiting over two days
            execute(shopDb, """
                    create table shop_outbox (id bigserial primary key, event_type varchar(100) not null, payload jsonb not null,
                                              created_at timestamptz not null default now(), published_at timestamptz)""");
            execute(shopDb, """
                    insert into shop_outbox (event_type, payload, created_at, published_at)
                    select 'order.paid', jsonb_build_object('n', g), timestamptz '2025-07-01 12:00:00+00' + g * interval '1 minute',
                           case when g <= 3 then now() end
                    from generate_series(1, 1503) g""");
            OutboxTable names = OutboxTable.configured(Optional.of("shop_outbox"), Optional.of("sluice_bronze_batch"),
                    Optional.of("event_id=id, aggregate_type=, client_id=, occurred_at=created_at, published_at=published_at"));
            BronzePublisher fromShop = publisher.readingFrom(shopDb, names, "bronze/shop-events/");

            assertEquals(1500, publishAll(fromShop));

            // marked in the shop's database, claimed there (its batch table), none left
            assertEquals(0, count(shopDb, "select count(*) from shop_outbox where published_at is null"));
            assertEquals(1, count(shopDb, "select count(*) from sluice_bronze_batch where status = 'published' and events = 1500"));
            try (Connection duck = download("bronze/shop-events/", "shop")) {
                assertEquals(1500, scalar(duck, "select count(*) from shop"));
                assertEquals(1500, scalar(duck, "select count(distinct event_id) from shop"));
                assertEquals(1503L * 1504 / 2 - 6, scalar(duck, "select sum(event_id) from shop"), "events 4..1503: not the 3 published before");
                assertEquals(2, scalar(duck, "select count(distinct date) from shop"));
                assertEquals(0, scalar(duck, "select count(*) from shop where client_id is not null or event_type <> 'order.paid'"));
            }
            // a rerun finds nothing; a new event is the only one of the next run
            assertEquals(0, publishAll(fromShop));
            execute(shopDb, "insert into shop_outbox (event_type, payload) values ('order.refunded', '{\"n\": 0}')");
            assertEquals(1, publishAll(fromShop));
            assertEquals(0, count(shopDb, "select count(*) from shop_outbox where published_at is null"));
            try (Connection duck = download("bronze/shop-events/", "shop")) {
                assertEquals(1501, scalar(duck, "select count(distinct event_id) from shop"));
                assertEquals(1501, scalar(duck, "select count(*) from shop"));
            }
        } finally {
            for (String key : keys("bronze/shop-events/")) {
                landing.s3().deleteObject(b -> b.bucket("sluice").key(key));
            }
            TempDirs.delete(dir);
        }
    }

    /** The route's stages (claim, store, mark) on another outbox; the events published. */
    private static long publishAll(BronzePublisher publisher) throws Exception {
        long events = 0;
        for (var claimed = publisher.claimed(); claimed.hasNext(); ) {
            events += publisher.markPublished(publisher.store(claimed.next())).events();
        }
        return events;
    }

    private static long count(DataSource db, String sql) throws Exception {
        try (Connection connection = db.getConnection(); Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static void execute(DataSource db, String sql) throws Exception {
        try (Connection connection = db.getConnection(); Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void silverShouldHoldTypedDeduplicatedRowsAndDeadLetterBadPayloads() throws Exception {
        publishPending();
        buildSilver();
        execute("""
                insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at) values
                ('stop', 'StopOrderExecuted', 'silver-a', '{"order_id": "o1", "symbol": "ACME", "side": "buy", "quantity": "10.5", "stop_price": 99.5, "price": 100.25, "status": "filled", "executed_at": "2025-04-01T14:00:00Z", "slippage_bps": 2.5}', '2025-04-01T14:00:01Z'),
                ('stop', 'StopOrderExecuted', 'silver-a', '{"order_id": "o2", "symbol": "ACME", "side": "sell", "quantity": 3, "price": 101, "status": "filled", "executed_at": "2025-04-02T09:30:00Z", "slippage_bps": -1.5, "venue": "XNAS"}', '2025-04-02T09:30:01Z'),
                ('stop', 'StopOrderExecuted', 'silver-b', '{"order_id": "o3", "symbol": "INIT", "side": "buy", "quantity": 1, "price": 5.125, "status": "partial", "executed_at": "2025-04-01T10:00:00Z"}', '2025-04-01T10:00:01Z'),
                ('stop', 'StopOrderExecuted', 'silver-b', '{"order_id": "o4", "side": "buy", "quantity": 1, "price": 5, "status": "filled", "executed_at": "2025-04-01T11:00:00Z"}', '2025-04-01T11:00:01Z'),
                ('stop', 'StopOrderExecuted', 'silver-b', '{"order_id": "o5", "symbol": "INIT", "side": "buy", "quantity": "lots", "price": 5, "status": "filled", "executed_at": "2025-04-01T12:00:00Z"}', '2025-04-01T12:00:01Z'),
                ('stop', 'StopOrderExecuted', 'silver-b', '"just a string"', '2025-04-01T13:00:01Z'),
                ('order', 'OrderPlaced', 'silver-b', '{"n": 1}', '2025-04-01T13:00:02Z')""");
        publishPending();

        long recorded = completed("silver-record-file");

        List<Map<String, Object>> summaries = buildSilver();

        Map<String, Object> summary = summaries.get(0);
        assertEquals(6L, summary.get("rowsIn"), summary.toString());
        assertEquals(3L, summary.get("rowsOut"), summary.toString());
        assertEquals(3L, summary.get("rejected"), summary.toString());
        assertEquals(recorded + (Long) summary.get("files"), completed("silver-record-file"), "each bronze file is recorded by the route");
        assertEquals(Map.of("filled", 2L, "partial", 1L), summary.get("status"));
        @SuppressWarnings("unchecked")
        Map<String, Object> slippage = (Map<String, Object>) summary.get("slippage_bps");
        assertEquals(0, new BigDecimal("-1.5").compareTo((BigDecimal) slippage.get("min")));
        assertEquals(0, new BigDecimal("2.5").compareTo((BigDecimal) slippage.get("max")));
        assertEquals(0, new BigDecimal("0.5").compareTo((BigDecimal) slippage.get("avg")));
        List<String> keys = keys("silver/stop_executions/");
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("silver/stop_executions/client_id=silver-a/date=2025-04-01/part-")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("silver/stop_executions/client_id=silver-a/date=2025-04-02/part-")), keys.toString());
        assertTrue(keys.stream().anyMatch(k -> k.startsWith("silver/stop_executions/client_id=silver-b/date=2025-04-01/part-")), keys.toString());
        try (Connection duck = download("silver/stop_executions/", "silver")) {
            assertEquals(3, scalar(duck, "select count(*) from silver"));
            Map<String, String> types = types(duck, "silver");
            assertEquals("DECIMAL(18,6)", types.get("quantity"));
            assertEquals("DECIMAL(10,2)", types.get("slippage_bps"));
            assertEquals("TIMESTAMP WITH TIME ZONE", types.get("executed_at"));
            assertEquals("BIGINT", types.get("event_id"));
            assertEquals("10.500000", text(duck, "select cast(quantity as varchar) from silver where order_id = 'o1'"));
            assertEquals("99.500000", text(duck, "select cast(stop_price as varchar) from silver where order_id = 'o1'"));
            assertEquals(null, text(duck, "select cast(stop_price as varchar) from silver where order_id = 'o3'"), "a missing optional field is null");
            assertEquals("silver-a", text(duck, "select client_id from silver where order_id = 'o2'"), "an extra field does not matter");
            assertEquals("2025-04-02 09:30:00", text(duck, "select strftime(timezone('UTC', executed_at), '%Y-%m-%d %H:%M:%S') from silver where order_id = 'o2'"));
        }
        List<Map<String, Object>> dead = landing.rows("select reason, raw_record from dead_letter where source = 'silver:stop_executions' order by id");
        assertEquals(3, dead.size(), dead.toString());
        assertTrue(dead.get(0).get("reason").toString().contains("symbol: missing required field"), dead.toString());
        assertTrue(dead.get(1).get("reason").toString().contains("quantity"), dead.toString());
        assertTrue(dead.get(2).get("reason").toString().contains("not a JSON object"), dead.toString());
        assertNotNull(landing.rows("select summary from ingest_run where source = 'silver:stop_executions' and rows_loaded = 3").get(0).get("summary"));

        // the same events arriving again in another bronze file are not written twice
        String bronzeKey = keys("bronze/events/date=2025-04-01/").get(0);
        landing.s3().copyObject(b -> b.sourceBucket("sluice").sourceKey(bronzeKey).destinationBucket("sluice")
                .destinationKey("bronze/events/date=2025-04-01/part-9999999999.parquet"));
        Map<String, Object> again = buildSilver().get(0);
        assertEquals(0L, again.get("rowsOut"), again.toString());
        assertTrue((Long) again.get("duplicates") > 0, again.toString());
        assertEquals(keys.size(), keys("silver/stop_executions/").size());
        assertEquals(0L, buildSilver().get(0).get("files"), "every bronze file is taken in once");
    }

    /** A run of the outbox → bronze pipeline (routes/outbox-bronze.camel.yaml), as the timer starts it. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> publishPending() {
        return routes.requestBody("direct:publish-outbox", null, Map.class);
    }

    /** A run of the bronze → silver pipeline (routes/bronze-silver.camel.yaml), as the cron starts it: one summary per table. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> buildSilver() {
        return routes.requestBody("direct:build-silver", null, List.class);
    }

    /** Exchanges a route step (by its id) has completed so far. */
    private long completed(String step) throws Exception {
        return camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class).getManagedProcessor(step).getExchangesCompleted();
    }

    private Connection bronze() throws Exception {
        return download("bronze/events/", "bronze");
    }

    /** The Parquet files under a prefix, downloaded with their key paths, as a DuckDB view (hive partitions as columns). */
    private Connection download(String prefix, String view) throws Exception {
        Path dir = Files.createTempDirectory("parquet-");
        for (String key : keys(prefix)) {
            Path file = dir.resolve(key);
            Files.createDirectories(file.getParent());
            landing.s3().getObject(b -> b.bucket("sluice").key(key), file);
        }
        Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = duck.createStatement()) {
            s.execute("create view " + view + " as select * from read_parquet('" + dir + "/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)");
        }
        return duck;
    }

    private List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        landing.s3().listObjectsV2Paginator(b -> b.bucket("sluice").prefix(prefix)).contents().stream().map(S3Object::key).filter(k -> k.endsWith(".parquet")).forEach(keys::add);
        return keys;
    }

    private static long scalar(Connection duck, String sql) throws Exception {
        try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String text(Connection duck, String sql) throws Exception {
        try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : "no row";
        }
    }

    private static Map<String, String> types(Connection duck, String view) throws Exception {
        Map<String, String> types = new HashMap<>();
        try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery("describe " + view)) {
            while (r.next()) {
                types.put(r.getString("column_name"), r.getString("column_type"));
            }
        }
        return types;
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().executeUpdate(sql);
        }
    }
}
