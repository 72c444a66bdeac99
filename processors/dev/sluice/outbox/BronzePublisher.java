package dev.sluice.outbox;

import dev.sluice.bucket.S3Clients;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.parquet.ParquetColumn;
import dev.sluice.parquet.CsvParquetWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import software.amazon.awssdk.core.sync.RequestBody;

import javax.sql.DataSource;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    @Inject
    CsvParquetWriter parquet;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;
    @ConfigProperty(name = "sluice.outbox.batch-size", defaultValue = "100000")
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
        other.parquet = parquet;
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
                            next = read(unfinished.next());
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

    /** A claimed batch: its id and its events' id range (after, last]. */
    public record Claimed(long batch, long after, long last) {
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
                 PreparedStatement take = connection.prepareStatement(table.nextRange());
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
                // only the range is fixed here (its ids, from the index): the events are read while writing
                take.setLong(1, after);
                take.setLong(2, bound);
                take.setInt(3, batchSize);
                int events;
                long last;
                try (ResultSet r = take.executeQuery()) {
                    r.next();
                    events = r.getInt(1);
                    last = r.getLong(2);
                }
                if (events == 0) {
                    connection.rollback();
                    return null;
                }
                insert.setInt(1, events);
                insert.setLong(2, after);
                insert.setLong(3, last);
                long id;
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    id = row.getLong(1);
                }
                connection.commit();
                return new Claimed(id, after, last);
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

    /** A claimed batch again (to redo a batch a crash cut off): its range. */
    public Claimed read(long batch) throws SQLException {
        try (Connection connection = outbox().getConnection();
             PreparedStatement bounds = connection.prepareStatement(
                     "select after_event_id, last_event_id from " + table.batches() + " where id = ?")) {
            bounds.setLong(1, batch);
            try (ResultSet r = bounds.executeQuery()) {
                if (!r.next() || r.getObject(1) == null) {
                    throw new SQLException("bronze batch " + batch + " has no event range");
                }
                return new Claimed(batch, r.getLong(1), r.getLong(2));
            }
        }
    }

    /**
     * Route step 2: stores a claimed batch's files, one per event date (UTC). Its events come out of
     * PostgreSQL as COPY's CSV into a local file, which DuckDB reads and writes as Parquet: no row
     * passes through Java.
     */
    public Written store(Claimed claimed) throws Exception {
        Instant started = Instant.now();
        Path work = Files.createTempDirectory("sluice-bronze-");
        try {
            Path csv = work.resolve("events.csv");
            long events;
            try (Connection connection = outbox().getConnection();
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv), 1 << 16)) {
                connection.setAutoCommit(false);
                try (Statement utc = connection.createStatement()) {
                    // timestamps printed in UTC: DuckDB reads the offset, and no historic local offset can trip it
                    utc.execute("set local time zone 'UTC'");
                    events = connection.unwrap(PGConnection.class).getCopyAPI()
                            .copyOut(table.copyRange(claimed.after(), claimed.last(), claimed.batch()), out);
                    connection.commit();
                } catch (SQLException | java.io.IOException e) {
                    connection.rollback();
                    throw e;
                }
            }
            List<String> keys = new ArrayList<>();
            long bytes = 0;
            for (Map.Entry<String, Path> day : parquet.write(csv, COLUMNS, "cast(timezone('UTC', occurred_at) as date)", "event_id", work)
                    .entrySet()) {
                String key = prefix + "date=%s/part-%010d.parquet".formatted(day.getKey(), claimed.batch());
                clients.storage().putObject(b -> b.bucket(bucket).key(key).contentType("application/vnd.apache.parquet"),
                        RequestBody.fromFile(day.getValue()));
                bytes += Files.size(day.getValue());
                keys.add(key);
            }
            LOG.debugf("bronze batch %d: %d events in %s", claimed.batch(), events, keys);
            return new Written(claimed.batch(), keys, bytes, events, started, null);
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
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
