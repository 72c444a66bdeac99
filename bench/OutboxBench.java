import java.io.FileWriter;
import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outbox → bronze benchmark: Sluice publishing N outbox events as bronze Parquet (its own route,
 * timed from the moment the inserted and vacuumed events are let through to the last batch published,
 * as recorded in bronze_batch) vs,
 * in the same run on the same rows, PostgreSQL's COPY … TO CSV (the floor) followed by DuckDB
 * turning that CSV into one ZSTD Parquet file (DuckDB cannot read PostgreSQL here: the scanner
 * extension needs a download).
 *
 * Run with bench/outbox-bench.sh [N=1000000].
 */
public class OutboxBench {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args.length > 0 ? args[0] : "1000000");
        Path work = Path.of("target/bench-outbox").toAbsolutePath();
        Files.createDirectories(work);
        int httpPort = freePort();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of(System.getenv().getOrDefault("SLUICE_JAVA_OPTS", "-Xmx256m").split(" ")));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("sluice.log").toFile());
        builder.environment().put("SLUICE_DATA_DIR", work.resolve("data").toString());
        builder.environment().put("SLUICE_SOURCES_ENABLED", "none");
        builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("SLUICE_JOLOKIA_PORT", String.valueOf(freePort()));
        Process sluice = builder.start();
        long[] rss = {0};
        try {
            String log;
            while (!(log = Files.readString(work.resolve("sluice.log"))).contains("Listening on:")) {
                if (!sluice.isAlive()) {
                    throw new IllegalStateException(log);
                }
                Thread.sleep(200);
            }
            Matcher jdbc = Pattern.compile("started embedded PostgreSQL at (\\S+)").matcher(log);
            jdbc.find();
            try (Connection db = DriverManager.getConnection(jdbc.group(1), "postgres",
                    Files.readString(work.resolve("data/postgres-password")).strip())) {
                System.out.printf("inserting %d stop-execution events into the outbox…%n", n);
                // Both sides read the same settled rows: while the events are inserted and then vacuumed (hint
                // bits set, statistics fresh, no autovacuum racing either side), Sluice's claims wait on the
                // advisory lock they take; Sluice's time starts when it is released (or at its first claim, if later)
                String claims = "sluice-outbox:\"bronze_batch\"";
                Timestamp released;
                try (Statement s = db.createStatement()) {
                    s.execute("select pg_advisory_lock(hashtext('" + claims + "'))");
                    s.executeUpdate("""
                            insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at)
                            select 'stop', 'StopOrderExecuted', 'client-' || (g % 50),
                                   jsonb_build_object('order_id', 'o' || g, 'symbol', 'SYM' || (g % 500), 'side', case when g % 2 = 0 then 'buy' else 'sell' end,
                                                      'quantity', (g % 1000) + 0.5, 'price', 100 + (g % 997) / 100.0, 'status', 'filled',
                                                      'executed_at', to_char(timestamptz '2025-06-01' + g * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                                      'slippage_bps', (g % 41) - 20),
                                   timestamptz '2025-06-01' + g * interval '1 second'
                            from generate_series(1, """ + n + ") g");
                    s.execute("vacuum (analyze) outbox_event");
                    try (ResultSet now = s.executeQuery("select clock_timestamp()")) {
                        now.next();
                        released = now.getTimestamp(1);
                    }
                    s.execute("select pg_advisory_unlock(hashtext('" + claims + "'))");
                }
                Thread sampler = new Thread(() -> {
                    while (sluice.isAlive()) {
                        rss[0] = Math.max(rss[0], rssKb(sluice.pid()));
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                sampler.setDaemon(true);
                sampler.start();
                // done when the published batches' ranges reach the last event (cheap to ask: not per event)
                long last = scalar(db, "select max(event_id) from outbox_event");
                while (scalar(db, "select coalesce(max(last_event_id), 0) from bronze_batch where status = 'published'") < last
                        || scalar(db, "select count(*) from bronze_batch where status = 'claimed'") > 0) {
                    Thread.sleep(500);
                }
                sampler.interrupt();
                double sluiceSeconds;
                try (java.sql.PreparedStatement time = db.prepareStatement(
                        "select (extract(epoch from max(published_at) - greatest(min(claimed_at), ?)) * 1000)::bigint from bronze_batch")) {
                    time.setTimestamp(1, released);
                    try (ResultSet r = time.executeQuery()) {
                        r.next();
                        sluiceSeconds = r.getLong(1) / 1000.0;
                    }
                }
                long bronzeBytes = scalar(db, "select sum(bytes) from bronze_batch");
                long batches = scalar(db, "select count(*) from bronze_batch");

                Path csv = work.resolve("outbox.csv");
                long t0 = System.nanoTime();
                try (Writer out = new FileWriter(csv.toFile())) {
                    new org.postgresql.copy.CopyManager(db.unwrap(org.postgresql.core.BaseConnection.class)).copyOut(
                            "copy (select event_id, aggregate_type, event_type, client_id, occurred_at, payload::text, 0::bigint as batch_id "
                                    + "from outbox_event order by event_id) to stdout (format csv)", out);
                }
                double copySeconds = (System.nanoTime() - t0) / 1e9;
                Path parquet = work.resolve("outbox.parquet");
                long t1 = System.nanoTime();
                try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
                    s.execute("set threads = 1");
                    s.execute("copy (select * from read_csv('" + csv + "', header = false, columns = {'event_id': 'BIGINT', "
                            + "'aggregate_type': 'VARCHAR', 'event_type': 'VARCHAR', 'client_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ', "
                            + "'payload': 'VARCHAR', 'batch_id': 'BIGINT'})) to '" + parquet + "' (format parquet, compression zstd, row_group_size 100000)");
                }
                double duckSeconds = (System.nanoTime() - t1) / 1e9;
                double referenceSeconds = copySeconds + duckSeconds;
                System.out.printf("outbox → Parquet, %d events%n", n);
                System.out.printf("    Sluice (outbox-bronze route, %d batches, %d MB of bronze): %.2f s = %.0f events/s, peak RSS %d MiB%n",
                        batches, bronzeBytes >> 20, sluiceSeconds, n / sluiceSeconds, rss[0] / 1024);
                System.out.printf("    floor: COPY … TO CSV                         : %.2f s = %.0f events/s%n", copySeconds, n / copySeconds);
                System.out.printf("    reference: COPY TO CSV + DuckDB CSV → Parquet (1 thread): %.2f s = %.0f events/s (%d MB)%n",
                        referenceSeconds, n / referenceSeconds, Files.size(parquet) >> 20);
                System.out.printf("    ratio (Sluice ÷ reference events/s): %.2f; Sluice ÷ COPY floor: %.2f%n",
                        referenceSeconds / sluiceSeconds, copySeconds / sluiceSeconds);
            }
        } finally {
            sluice.destroy();
            sluice.waitFor();
        }
    }

    static long scalar(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
