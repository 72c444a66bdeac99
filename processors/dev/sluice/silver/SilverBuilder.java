package dev.sluice.silver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bucket.S3Clients;
import dev.sluice.ingest.BadValueException;
import dev.sluice.ingest.DeadLetter;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import dev.sluice.parquet.ParquetFileWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bronze → silver (the stages of routes/bronze-silver.camel.yaml): every bronze file a silver
 * table has not taken in yet (silver_file), its
 * events of the table's types parsed into typed columns, deduplicated by event id (silver_event),
 * invalid ones dead-lettered, the rest written to silver/&lt;table&gt;/client_id=&lt;id&gt;/date=&lt;d&gt;/
 * part-&lt;bronze file&gt;.parquet. Objects are written before the bookkeeping commits, under keys
 * derived from the bronze file: a crash in between means the file is done again, to the same keys.
 */
@ApplicationScoped
@Named("silverBuilder")
public class SilverBuilder {

    private static final Logger LOG = Logger.getLogger(SilverBuilder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BRONZE_PREFIX = "bronze/events/";

    @Inject
    SilverTables tables;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    S3Clients clients;
    @Inject
    IngestRuns runs;
    @Inject
    IngestMetrics metrics;
    @Inject
    dev.sluice.outage.ObjectStoreOutage objectStore;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** Route step: every silver table (silver-tables.yaml). */
    public List<SilverTable> tables() {
        return tables.all();
    }

    /** Route step: a table's run begins (an ingest_run, kind silver, source silver:&lt;table&gt;). */
    public SilverRun begin(SilverTable table) throws SQLException {
        return new SilverRun(table, runs.begin("silver:" + table.name(), "silver", table.name()), Instant.now());
    }

    /** Route step: the bronze files not yet taken in by this table, oldest key first. */
    public List<SilverFile> pendingFiles(SilverRun run) throws SQLException {
        SilverTable table = run.table();
        Set<String> done = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("select bronze_key from silver_file where silver_table = ?")) {
            select.setString(1, table.name());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    done.add(rows.getString(1));
                }
            }
        }
        return clients.storage().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(BRONZE_PREFIX)).contents().stream()
                .map(S3Object::key).filter(k -> k.endsWith(".parquet") && !done.contains(k)).sorted()
                .map(k -> new SilverFile(run, k)).toList();
    }

    /** Route step: the bronze file's events of the table's types (downloaded, read by DuckDB). */
    public SilverFile read(SilverFile file) throws Exception {
        Path local = Files.createTempFile("sluice-bronze-", ".parquet");
        try {
            Files.delete(local);
            clients.storage().getObject(b -> b.bucket(bucket).key(file.bronzeKey()), local);
            file.events = readEvents(local, file.run().table());
        } finally {
            Files.deleteIfExists(local);
        }
        return file;
    }

    /**
     * Route step: the events as typed rows per client_id/date partition; events the table already
     * holds are dropped, payloads that do not fit its columns become dead letters.
     */
    public SilverFile convert(SilverFile file) throws SQLException {
        SilverTable table = file.run().table();
        Set<Long> known = knownEvents(table, file.events);
        PayloadReader reader = new PayloadReader(table.columns());
        int partitionColumn = table.indexOf(table.partitionBy());
        for (int i = 0; i < file.events.size(); i++) {
            Object[] event = file.events.get(i);
            long eventId = (Long) event[0];
            if (!known.add(eventId)) {
                file.duplicates++;
                continue;
            }
            try {
                Object[] values = reader.read((String) event[3]);
                Object[] row = new Object[3 + values.length];
                row[0] = eventId;
                row[1] = event[1];
                row[2] = event[2];
                System.arraycopy(values, 0, row, 3, values.length);
                String date = ((Instant) values[partitionColumn]).atZone(ZoneOffset.UTC).toLocalDate().toString();
                file.partitions.computeIfAbsent("client_id=" + URLEncoder.encode((String) event[1], StandardCharsets.UTF_8)
                        + "/date=" + date, p -> new ArrayList<>()).add(row);
                file.taken.add(eventId);
            } catch (BadValueException e) {
                file.rejected.add(new DeadLetter(i + 1, "event " + eventId + ": " + e.getMessage(), (String) event[3]));
            }
        }
        return file;
    }

    /** Route step: one Parquet file per partition, under a key derived from the bronze file (a redo overwrites it). */
    public SilverFile write(SilverFile file) throws Exception {
        SilverTable table = file.run().table();
        String bronzeKey = file.bronzeKey();
        String part = "part-" + bronzeKey.substring(BRONZE_PREFIX.length()).replace("date=", "").replace("/part-", "-")
                .replace(".parquet", "") + ".parquet";
        for (Map.Entry<String, List<Object[]>> partition : file.partitions.entrySet()) {
            String key = "silver/%s/%s/%s".formatted(table.name(), partition.getKey(), part);
            Path local = Files.createTempFile("sluice-silver-", ".parquet");
            try {
                ParquetFileWriter.write(local, table.parquetColumns(), partition.getValue());
                clients.storage().putObject(b -> b.bucket(bucket).key(key).contentType("application/vnd.apache.parquet"),
                        RequestBody.fromFile(local));
            } finally {
                Files.deleteIfExists(local);
            }
            file.written.add(new SilverFile.Written(file, key, partition.getValue().size()));
        }
        return file;
    }

    /**
     * Route step: the file taken in, in one transaction (its events, dead letters and the silver_file
     * row), then counted into the table's run.
     */
    public SilverFile record(SilverFile file) throws SQLException {
        SilverTable table = file.run().table();
        record(table, file.bronzeKey(), file.run().runId(), file.events.size(), file.taken, file.rejected,
                file.written.stream().map(SilverFile.Written::key).toList());
        SilverSummary summary = file.run().summary();
        summary.files++;
        summary.rowsIn += file.events.size();
        summary.rejected += file.rejected.size();
        summary.duplicates += file.duplicates;
        for (List<Object[]> rows : file.partitions.values()) {
            for (Object[] row : rows) {
                summary.row(java.util.Arrays.copyOfRange(row, 3, row.length));
            }
        }
        metrics.file("silver:" + table.name(), 0);
        return file;
    }

    /** Route step: a table's run stopped on an error (the file it was on is done again next run). */
    public SilverRun failed(SilverRun run, Exception error) {
        run.failed(String.valueOf(error.getMessage()));
        if (unreachable(error)) {
            // an outage of the store is told once for all its users (ObjectStoreOutage), not every cron tick
            objectStore.failed(error);
            LOG.debugf(error, "silver %s failed; the next run takes the file up again", run.table().name());
        } else {
            LOG.errorf(error, "silver %s failed; the next run takes the file up again", run.table().name());
        }
        return run;
    }

    /** The SDK could not reach the store at all (refused, timed out), as opposed to the store answering an error. */
    private static boolean unreachable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof software.amazon.awssdk.core.exception.SdkClientException && t.getCause() instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /** Route step: the table's run summary, in its ingest_run and the log. */
    public Map<String, Object> finish(SilverRun run) throws Exception {
        SilverSummary summary = run.summary();
        String outcome = run.error() == null ? "success" : "failed";
        Map<String, Object> result = summary.toMap();
        runs.finish(run.runId(), summary.rowsIn, summary.rowsOut, summary.rejected, 0, outcome, run.error());
        runs.summarize(run.runId(), JSON.writeValueAsString(result));
        metrics.run("silver:" + run.table().name(), outcome, Duration.between(run.started(), Instant.now()));
        if (summary.files > 0 || run.error() != null) {
            LOG.infof("silver %s: %s", run.table().name(), result);
        }
        return result;
    }

    /** The file's events of the table's types: event_id, client_id, occurred_at, payload; by event id. */
    private static List<Object[]> readEvents(Path file, SilverTable table) throws SQLException {
        List<Object[]> events = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             PreparedStatement select = duck.prepareStatement("""
                     select event_id, client_id, epoch_us(occurred_at), payload from read_parquet(?)
                     where event_type in (%s) order by event_id""".formatted(table.eventTypes().stream()
                     .map(t -> "'" + t.replace("'", "''") + "'").collect(java.util.stream.Collectors.joining(", "))))) {
            select.setString(1, file.toString());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long micros = rows.getLong(3);
                    events.add(new Object[] {rows.getLong(1), rows.getString(2),
                            Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L),
                            rows.getString(4)});
                }
            }
        }
        return events;
    }

    /** Event ids of these events the table already holds (from earlier files). */
    private Set<Long> knownEvents(SilverTable table, List<Object[]> events) throws SQLException {
        Set<Long> known = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select event_id from silver_event where silver_table = ? and event_id = any(?)")) {
            select.setString(1, table.name());
            select.setArray(2, connection.createArrayOf("bigint", events.stream().map(e -> e[0]).toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    known.add(rows.getLong(1));
                }
            }
        }
        return known;
    }

    private void record(SilverTable table, String bronzeKey, long runId, int rowsIn, List<Long> taken, List<DeadLetter> rejected,
                        List<String> written) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement("""
                         insert into silver_event (silver_table, event_id) select ?, unnest(?::bigint[]) on conflict do nothing""");
                 PreparedStatement file = connection.prepareStatement("""
                         insert into silver_file (silver_table, bronze_key, rows_in, rows_out, rejected, object_keys, run_id)
                         values (?, ?, ?, ?, ?, ?, ?) on conflict (silver_table, bronze_key) do nothing""")) {
                events.setString(1, table.name());
                events.setArray(2, connection.createArrayOf("bigint", taken.toArray()));
                events.executeUpdate();
                runs.recordDeadLetters(connection, runId, "silver:" + table.name(), table.name(), bronzeKey, rejected);
                file.setString(1, table.name());
                file.setString(2, bronzeKey);
                file.setLong(3, rowsIn);
                file.setLong(4, taken.size());
                file.setLong(5, rejected.size());
                file.setArray(6, connection.createArrayOf("text", written.toArray()));
                file.setLong(7, runId);
                file.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
