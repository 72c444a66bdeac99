package dev.sluice.outbox;

import dev.sluice.bucket.S3Clients;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.parquet.ParquetColumn;
import dev.sluice.parquet.ParquetFileWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Outbox → bronze (the stages of routes/outbox-bronze.camel.yaml): unpublished events in bounded
 * batches, one Parquet file per batch and event date at
 * bronze/events/date=YYYY-MM-DD/part-&lt;batch&gt;.parquet, then the batch marked published.
 *
 * A batch is first claimed (its events fixed in the database), then written, then marked. A crash
 * at any point leaves a claimed batch, which the next run writes again with the same events to the
 * same keys before marking it: no event is lost and none is published twice.
 */
@ApplicationScoped
@Named("outboxPublisher")
public class BronzePublisher {

    private static final Logger LOG = Logger.getLogger(BronzePublisher.class);
    static final List<ParquetColumn> COLUMNS = List.of(
            new ParquetColumn("event_id", "BIGINT"), new ParquetColumn("aggregate_type", "VARCHAR"),
            new ParquetColumn("event_type", "VARCHAR"), new ParquetColumn("client_id", "VARCHAR"),
            new ParquetColumn("occurred_at", "TIMESTAMPTZ"), new ParquetColumn("payload", "VARCHAR"),
            new ParquetColumn("batch_id", "BIGINT"));

    @Inject
    AgroalDataSource dataSource;
    @Inject
    S3Clients clients;
    @Inject
    IngestRuns runs;
    @Inject
    IngestMetrics metrics;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;
    @ConfigProperty(name = "sluice.outbox.batch-size", defaultValue = "10000")
    int batchSize;

    /**
     * Route step: the batches to publish, claimed one at a time as the route's split asks for the
     * next (while the previous one is being written): first batches a crash cut off (claimed, not
     * published: redone with the same events to the same keys), then new ones until none is left.
     */
    public Iterator<Claimed> claimed() throws SQLException {
        Iterator<Long> unfinished = unfinishedBatches().iterator();
        return new Iterator<>() {
            Claimed next;
            boolean exhausted;

            @Override
            public boolean hasNext() {
                if (next == null && !exhausted) {
                    try {
                        if (unfinished.hasNext()) {
                            long batch = unfinished.next();
                            next = new Claimed(batch, read(batch));
                        } else {
                            next = claim();
                            exhausted = next == null;
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot claim the next outbox batch: " + e.getMessage(), e);
                    }
                }
                return next != null;
            }

            @Override
            public Claimed next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Claimed claimed = next;
                next = null;
                return claimed;
            }
        };
    }

    /** Route step: the run's summary from the batches it published (none: the timer's empty body). */
    public Map<String, Object> summary(List<?> published) {
        long events = 0;
        int batches = 0;
        for (Object element : published == null ? List.of() : published) {
            if (element instanceof Written written) {
                events += written.events();
                batches++;
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("batches", batches);
        result.put("events", events);
        return result;
    }

    /** A claimed batch and its events (event_id, aggregate_type, event_type, client_id, occurred_at, payload, batch_id). */
    public record Claimed(long batch, List<Object[]> rows) {
    }

    /** Step 1: fixes the next batch of unclaimed events (oldest first); null when there are none. */
    public Claimed claim() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into bronze_batch (events, status) values (0, 'claimed') returning id");
                 PreparedStatement take = connection.prepareStatement("""
                         update outbox set batch_id = ? where event_id in (
                             select event_id from outbox where batch_id is null order by event_id limit ? for update skip locked)
                         returning event_id, aggregate_type, event_type, client_id, occurred_at, payload::text""");
                 PreparedStatement count = connection.prepareStatement("update bronze_batch set events = ? where id = ?")) {
                long id;
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    id = row.getLong(1);
                }
                take.setLong(1, id);
                take.setInt(2, batchSize);
                List<Object[]> rows = rows(take, id);
                if (rows.isEmpty()) {
                    connection.rollback();
                    return null;
                }
                count.setInt(1, rows.size());
                count.setLong(2, id);
                count.executeUpdate();
                connection.commit();
                return new Claimed(id, rows);
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * What step 2 stored, and once step 3 is done, its ingest_run.
     *
     * @param started when writing began (the batch's ingest_run starts there)
     */
    public record Written(long batch, List<String> keys, long bytes, long events, Instant started, Long runId) {

        Written published(long runId) {
            return new Written(batch, keys, bytes, events, started, runId);
        }

        /** The {@code bronze.batch} event's data. */
        public Map<String, Object> getEvent() {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("source", "outbox");
            event.put("subject", "bronze batch " + batch);
            event.put("batch", batch);
            event.put("runId", runId);
            event.put("rows", events);
            event.put("bytes", bytes);
            event.put("keys", keys);
            event.put("outcome", "published");
            return event;
        }
    }

    /** A claimed batch's events, as claim() returned them (to redo a batch a crash cut off). */
    public List<Object[]> read(long batch) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     select event_id, aggregate_type, event_type, client_id, occurred_at, payload::text
                     from outbox where batch_id = ?""")) {
            connection.setAutoCommit(false);
            select.setLong(1, batch);
            select.setFetchSize(1000);
            List<Object[]> rows = rows(select, batch);
            connection.commit();
            return rows;
        }
    }

    /** The Parquet rows of a batch, in event id order (so a redone batch makes the same files). */
    private static List<Object[]> rows(PreparedStatement statement, long batch) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (ResultSet r = statement.executeQuery()) {
            while (r.next()) {
                rows.add(new Object[] {r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getTimestamp(5).toInstant(),
                        r.getString(6), batch});
            }
        }
        rows.sort(java.util.Comparator.comparingLong(row -> (Long) row[0]));
        return rows;
    }

    /** Route step 2: stores a claimed batch's files, one per event date (UTC). */
    public Written store(Claimed claimed) throws Exception {
        return write(claimed.batch(), claimed.rows());
    }

    /** Step 2: stores a claimed batch's files, one per event date (UTC). */
    public Written write(long batch, List<Object[]> rows) throws Exception {
        Instant started = Instant.now();
        Map<LocalDate, List<Object[]>> byDate = new TreeMap<>();
        for (Object[] row : rows) {
            byDate.computeIfAbsent(((Instant) row[4]).atZone(ZoneOffset.UTC).toLocalDate(), d -> new ArrayList<>()).add(row);
        }
        List<String> keys = new ArrayList<>();
        long bytes = 0;
        long events = 0;
        for (Map.Entry<LocalDate, List<Object[]>> day : byDate.entrySet()) {
            String key = "bronze/events/date=%s/part-%010d.parquet".formatted(day.getKey(), batch);
            Path file = Files.createTempFile("sluice-bronze-", ".parquet");
            try {
                ParquetFileWriter.write(file, COLUMNS, day.getValue());
                clients.storage().putObject(b -> b.bucket(bucket).key(key).contentType("application/vnd.apache.parquet"),
                        RequestBody.fromFile(file));
                bytes += Files.size(file);
            } finally {
                Files.deleteIfExists(file);
            }
            keys.add(key);
            events += day.getValue().size();
        }
        LOG.debugf("bronze batch %d: %d events in %s", batch, events, keys);
        return new Written(batch, keys, bytes, events, started, null);
    }

    /** Route step 3: the batch and its events are published (only after its files are stored), and on record. */
    public Written markPublished(Written written) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement(
                    "update outbox set published_at = now() where batch_id = ? and published_at is null");
                 PreparedStatement done = connection.prepareStatement("""
                         update bronze_batch set status = 'published', object_keys = ?, bytes = ?, published_at = now() where id = ?""")) {
                events.setLong(1, written.batch());
                events.executeUpdate();
                done.setArray(1, connection.createArrayOf("text", written.keys().toArray()));
                done.setLong(2, written.bytes());
                done.setLong(3, written.batch());
                done.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
        Instant finished = Instant.now();
        long runId = runs.record(new IngestRun("outbox", "batch", "bronze batch " + written.batch(), null, null, written.events(),
                written.events(), 0, written.bytes(), written.started(), finished, "published", String.join(", ", written.keys())));
        metrics.run("outbox-bronze", "success", Duration.between(written.started(), finished));
        metrics.file("outbox-bronze", written.bytes());
        return written.published(runId);
    }

    private List<Long> unfinishedBatches() throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("select id from bronze_batch where status = 'claimed' order by id");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }
}
