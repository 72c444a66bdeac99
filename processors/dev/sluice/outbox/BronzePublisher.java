package dev.sluice.outbox;

import dev.sluice.bucket.S3Clients;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.parquet.ParquetColumn;
import dev.sluice.parquet.ParquetFileWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * A batch is first claimed, then written, then marked. The claim is one row in the batch table
 * holding the batch's event id range (after, last], in the outbox's own database: no event row is
 * touched to claim it, and marking it published is that same row's status (plus, for an application
 * whose outbox has its own "published" column, one UPDATE of the range). A crash at any point leaves
 * a claimed batch, which the next run writes again with the same events (the same range) to the same
 * keys before marking it: no event is lost and none is published twice.
 *
 * The outbox is Sluice's own (table outbox_event, which applications insert into through the view
 * outbox) or another PostgreSQL's table with other column names: see {@link OutboxDatabase} and
 * {@link OutboxTable}.
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
    OutboxDatabase database;
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
    @ConfigProperty(name = "sluice.outbox.lock-timeout-ms", defaultValue = "2000")
    long lockTimeoutMs;

    /** Where the files go: bronze/events/ (which silver reads), elsewhere for another outbox of {@link #readingFrom}. */
    private String prefix = "bronze/events/";
    /** Where the events are: set on first use (configuration), or by {@link #readingFrom}. */
    private DataSource dataSource;
    private OutboxTable table;
    private boolean batchTableReady;

    /**
     * This publisher's steps on another outbox (its database and names) writing under another bronze
     * prefix (its batch ids are its own, so its files must not meet this outbox's), e.g. for a test.
     */
    public BronzePublisher readingFrom(DataSource outboxDataSource, OutboxTable outboxTable, String bronzePrefix) {
        BronzePublisher other = new BronzePublisher();
        other.database = database;
        other.clients = clients;
        other.runs = runs;
        other.metrics = metrics;
        other.bucket = bucket;
        other.batchSize = batchSize;
        other.lockTimeoutMs = lockTimeoutMs;
        other.dataSource = outboxDataSource;
        other.table = outboxTable;
        other.prefix = bronzePrefix.endsWith("/") ? bronzePrefix : bronzePrefix + "/";
        return other;
    }

    /** The outbox's database; the first time, its batch table is made if it has none (an application's database). */
    private synchronized DataSource outbox() throws SQLException {
        if (dataSource == null) {
            dataSource = database.dataSource();
            table = database.table();
        }
        if (!batchTableReady) {
            try (Connection connection = dataSource.getConnection(); Statement create = connection.createStatement()) {
                create.execute(table.createBatchTable());
            }
            batchTableReady = true;
        }
        return dataSource;
    }

    /**
     * Route step: the batches to publish, claimed one at a time as the route's split asks for the
     * next (while the previous one is being written): first batches a crash cut off (claimed, not
     * published: redone with the same events to the same keys), then new ones up to the highest
     * event committed when this run started, until none is left.
     */
    public Iterator<Claimed> claimed() throws SQLException {
        Iterator<Long> unfinished = unfinishedBatches().iterator();
        return new Iterator<>() {
            Claimed next;
            Long bound;
            boolean exhausted;

            @Override
            public boolean hasNext() {
                if (next == null && !exhausted) {
                    try {
                        if (unfinished.hasNext()) {
                            long batch = unfinished.next();
                            next = new Claimed(batch, read(batch));
                        } else {
                            if (bound == null) {
                                bound = committedUpTo();
                            }
                            next = bound < 0 ? null : claim(bound);
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
            if (element instanceof Written written && written.runId() != null) {
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
        long bound = committedUpTo();
        return bound < 0 ? null : claim(bound);
    }

    /**
     * The highest event id below which every event is committed (or will never be): taken while
     * no transaction inserts events (a SHARE lock waits for those in flight and is released at once).
     * -1 when inserting transactions did not end within sluice.outbox.lock-timeout-ms (a long
     * transaction of the application): nothing new is claimed this run.
     */
    long committedUpTo() throws SQLException {
        try (Connection connection = outbox().getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                statement.execute("set local lock_timeout = " + lockTimeoutMs);
                statement.execute(table.lockInserts());
                try (ResultSet max = statement.executeQuery(table.maxEventId())) {
                    max.next();
                    long bound = max.getLong(1);
                    connection.commit();
                    return bound;
                }
            } catch (SQLException e) {
                connection.rollback();
                if ("55P03".equals(e.getSQLState())) {
                    LOG.infof("outbox: transactions inserting events did not end within %d ms; new events wait for the next run",
                            lockTimeoutMs);
                    return -1;
                }
                throw e;
            }
        }
    }

    /** Step 1: the next batch: events after the last claimed range, up to bound, at most batch-size of them. */
    Claimed claim(long bound) throws SQLException {
        try (Connection connection = outbox().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement serialise = connection.prepareStatement("select pg_advisory_xact_lock(hashtext(?))");
                 PreparedStatement claimedUpTo = connection.prepareStatement(
                         "select coalesce(max(last_event_id), 0) from " + table.batches());
                 PreparedStatement take = connection.prepareStatement(table.selectRange());
                 PreparedStatement insert = connection.prepareStatement("insert into " + table.batches()
                         + " (events, status, after_event_id, last_event_id) values (?, 'claimed', ?, ?) returning id")) {
                // one claim at a time over all replicas (an advisory lock: marking other batches goes on meanwhile)
                serialise.setString(1, "sluice-outbox:" + table.batches());
                serialise.execute();
                long after;
                try (ResultSet r = claimedUpTo.executeQuery()) {
                    r.next();
                    after = r.getLong(1);
                }
                List<Object[]> rows = range(take, after, bound, batchSize);
                if (rows.isEmpty()) {
                    connection.rollback();
                    return null;
                }
                insert.setInt(1, rows.size());
                insert.setLong(2, after);
                insert.setLong(3, (Long) rows.get(rows.size() - 1)[0]);
                long id;
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    id = row.getLong(1);
                }
                connection.commit();
                for (Object[] row : rows) {
                    row[6] = id;
                }
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

        /** The {@code bronze.batch} event's data; null when another replica published the batch (and told). */
        public Map<String, Object> getEvent() {
            if (runId == null) {
                return null;
            }
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

    /** A claimed batch's events, as claim() returned them (to redo a batch a crash cut off): its range again. */
    public List<Object[]> read(long batch) throws SQLException {
        try (Connection connection = outbox().getConnection();
             PreparedStatement bounds = connection.prepareStatement(
                     "select after_event_id, last_event_id from " + table.batches() + " where id = ?");
             PreparedStatement select = connection.prepareStatement(table.selectRange())) {
            bounds.setLong(1, batch);
            try (ResultSet r = bounds.executeQuery()) {
                if (!r.next() || r.getObject(1) == null) {
                    throw new SQLException("bronze batch " + batch + " has no event range");
                }
                List<Object[]> rows = range(select, r.getLong(1), r.getLong(2), Integer.MAX_VALUE);
                for (Object[] row : rows) {
                    row[6] = batch;
                }
                return rows;
            }
        }
    }

    /** The Parquet rows of the events in (after, last], in event id order (so a redone batch makes the same files). */
    private static List<Object[]> range(PreparedStatement select, long after, long last, int limit) throws SQLException {
        select.setLong(1, after);
        select.setLong(2, last);
        select.setInt(3, limit);
        select.setFetchSize(limit == Integer.MAX_VALUE ? 10000 : 0);
        List<Object[]> rows = new ArrayList<>();
        try (ResultSet r = select.executeQuery()) {
            while (r.next()) {
                java.sql.Timestamp occurred = r.getTimestamp(5);
                rows.add(new Object[] {r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                        occurred == null ? null : occurred.toInstant(), r.getString(6), null});
            }
        }
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
            String key = prefix + "date=%s/part-%010d.parquet".formatted(day.getKey(), batch);
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

    /**
     * Route step 3: the batch is published (only after its files are stored), in the outbox's
     * database: its status and, where the application has one, its events' "published" column, in
     * one transaction; then on record in Sluice's ingest_run. A batch another replica has marked in
     * the meantime (both redid it after a crash) is left as that replica marked it and not reported
     * again (no runId: the route sends no event for it).
     */
    public Written markPublished(Written written) throws SQLException {
        try (Connection connection = outbox().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement done = connection.prepareStatement("update " + table.batches()
                    + " set status = 'published', object_keys = ?, bytes = ?, published_at = now() where id = ? and status = 'claimed'"
                    + " returning after_event_id, last_event_id")) {
                done.setArray(1, connection.createArrayOf("text", written.keys().toArray()));
                done.setLong(2, written.bytes());
                done.setLong(3, written.batch());
                try (ResultSet range = done.executeQuery()) {
                    if (!range.next()) {
                        connection.rollback();
                        LOG.debugf("bronze batch %d was already marked published (by another replica)", written.batch());
                        return written;
                    }
                    if (table.markEvents().isPresent()) {
                        try (PreparedStatement events = connection.prepareStatement(table.markEvents().get())) {
                            events.setLong(1, range.getLong(1));
                            events.setLong(2, range.getLong(2));
                            events.executeUpdate();
                        }
                    }
                }
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
        try (Connection connection = outbox().getConnection();
             PreparedStatement select = connection.prepareStatement("select id from " + table.batches() + " where status = 'claimed' order by id");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }
}
