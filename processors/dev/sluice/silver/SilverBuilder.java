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
import java.util.TreeMap;

/**
 * Bronze → silver: every bronze file a silver table has not taken in yet (silver_file), its
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
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** Builds every silver table from the bronze files it has not taken in; one summary per table. */
    public List<Map<String, Object>> processPending() throws Exception {
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (SilverTable table : tables.all()) {
            summaries.add(process(table));
        }
        return summaries;
    }

    Map<String, Object> process(SilverTable table) throws Exception {
        Instant started = Instant.now();
        String source = "silver:" + table.name();
        long runId = runs.begin(source, "silver", table.name());
        SilverSummary summary = new SilverSummary(table);
        String outcome = "success";
        String message = null;
        try {
            for (String key : pendingFiles(table)) {
                processFile(table, key, runId, summary);
            }
        } catch (Exception e) {
            outcome = "failed";
            message = String.valueOf(e.getMessage());
            throw e;
        } finally {
            Map<String, Object> result = summary.toMap();
            runs.finish(runId, summary.rowsIn, summary.rowsOut, summary.rejected, 0, outcome, message);
            runs.summarize(runId, JSON.writeValueAsString(result));
            metrics.run(source, outcome, Duration.between(started, Instant.now()));
            if (summary.files > 0 || message != null) {
                LOG.infof("silver %s: %s", table.name(), result);
            }
        }
        return summary.toMap();
    }

    /** Bronze files not yet taken in by this table, oldest key first. */
    private List<String> pendingFiles(SilverTable table) throws SQLException {
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
                .map(S3Object::key).filter(k -> k.endsWith(".parquet") && !done.contains(k)).sorted().toList();
    }

    private void processFile(SilverTable table, String bronzeKey, long runId, SilverSummary summary) throws Exception {
        Path local = Files.createTempFile("sluice-bronze-", ".parquet");
        try {
            Files.delete(local);
            clients.storage().getObject(b -> b.bucket(bucket).key(bronzeKey), local);
            List<Object[]> events = readEvents(local, table);
            Set<Long> known = knownEvents(table, events);
            PayloadReader reader = new PayloadReader(table.columns());
            int partitionColumn = table.indexOf(table.partitionBy());
            Map<String, List<Object[]>> partitions = new TreeMap<>();
            List<DeadLetter> rejected = new ArrayList<>();
            List<Long> taken = new ArrayList<>();
            long duplicates = 0;
            for (int i = 0; i < events.size(); i++) {
                Object[] event = events.get(i);
                long eventId = (Long) event[0];
                if (!known.add(eventId)) {
                    duplicates++;
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
                    partitions.computeIfAbsent("client_id=" + URLEncoder.encode((String) event[1], StandardCharsets.UTF_8)
                            + "/date=" + date, p -> new ArrayList<>()).add(row);
                    taken.add(eventId);
                } catch (BadValueException e) {
                    rejected.add(new DeadLetter(i + 1, "event " + eventId + ": " + e.getMessage(), (String) event[3]));
                }
            }
            String part = "part-" + bronzeKey.substring(BRONZE_PREFIX.length()).replace("date=", "").replace("/part-", "-")
                    .replace(".parquet", "") + ".parquet";
            List<String> written = new ArrayList<>();
            for (Map.Entry<String, List<Object[]>> partition : partitions.entrySet()) {
                String key = "silver/%s/%s/%s".formatted(table.name(), partition.getKey(), part);
                Path file = Files.createTempFile("sluice-silver-", ".parquet");
                try {
                    ParquetFileWriter.write(file, table.parquetColumns(), partition.getValue());
                    clients.storage().putObject(b -> b.bucket(bucket).key(key).contentType("application/vnd.apache.parquet"),
                            RequestBody.fromFile(file));
                } finally {
                    Files.deleteIfExists(file);
                }
                written.add(key);
            }
            record(table, bronzeKey, runId, events.size(), taken, rejected, written);
            summary.files++;
            summary.rowsIn += events.size();
            summary.rejected += rejected.size();
            summary.duplicates += duplicates;
            for (List<Object[]> rows : partitions.values()) {
                for (Object[] row : rows) {
                    summary.row(java.util.Arrays.copyOfRange(row, 3, row.length));
                }
            }
            metrics.file("silver:" + table.name(), 0);
        } finally {
            Files.deleteIfExists(local);
        }
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
