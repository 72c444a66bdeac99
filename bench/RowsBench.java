import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rows API load test: 1,000,000 rows in rain_readings (1,000 gauges × 1,000 hourly readings, made
 * by generate_series in the database Sluice started), then N requests (default 10,000) from C
 * client threads (default 4) against the running Sluice, as the console user over HTTP Basic:
 *
 *   45% page   GET /datasets/rain-gauge-readings/rows?gauge_id=G&observed_at.gte=T&observed_at.lt=T+48h&size=50
 *   10% sorted GET …/rows?gauge_id=G&sort=-observed_at&size=100&page=P
 *    5% number GET …/rows?gauge_id=G&rainfall_in.gt=1.9&size=100
 *   40% one    GET …/rows/G/2020-01-DDTHH:00:00Z
 *
 * Every answer must be 200 with the expected row count. Prints p50/p90/p99/max latency per kind and
 * overall, and throughput. Run with bench/rows-bench.sh [N=10000] [C=4].
 */
public class RowsBench {

    static final String API_PASSWORD = java.util.UUID.randomUUID().toString();
    static final String AUTHORIZATION = "Basic " + java.util.Base64.getEncoder()
            .encodeToString(("bench:" + API_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    static final int GAUGES = 1000;
    static final int HOURS = 1000;
    static final Instant START = Instant.parse("2020-01-01T00:00:00Z");
    static final String ROWS = "/datasets/rain-gauge-readings/rows";

    record Sample(String kind, long nanos) {
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args.length > 0 ? args[0] : "10000");
        int clients = Integer.parseInt(args.length > 1 ? args[1] : "4");
        Path work = Path.of("target/bench-rows").toAbsolutePath();
        Files.createDirectories(work);

        // an object store only because Sluice wants one configured; the bench does not touch it
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", Files.createDirectories(work.resolve("objects")).toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(overrides).build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        store.createContainerInLocation(null, "sluice");
        URI endpoint = URI.create("http://127.0.0.1:" + freePort());
        String key = "bench" + Long.toHexString(new Random().nextLong());
        String secret = Long.toHexString(new Random().nextLong()) + Long.toHexString(new Random().nextLong());
        S3Proxy proxy = S3Proxy.builder().blobStore(store).endpoint(endpoint).ignoreUnknownHeaders(true)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, key, secret).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        int httpPort = freePort();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of(System.getenv().getOrDefault("SLUICE_JAVA_OPTS",
                "-Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -Xss512k").split(" ")));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("sluice.log").toFile());
        builder.environment().put("SLUICE_DATA_DIR", work.resolve("data").toString());
        builder.environment().put("SLUICE_CONSOLE_USER", "bench");
        builder.environment().put("SLUICE_CONSOLE_PASSWORD", API_PASSWORD);
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("SLUICE_SOURCES_ENABLED", "none");
        builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("SLUICE_JOLOKIA_PORT", String.valueOf(freePort()));
        builder.environment().put("SLUICE_S3_ENDPOINT", endpoint.toString());
        builder.environment().put("SLUICE_S3_ACCESS_KEY", key);
        builder.environment().put("SLUICE_S3_SECRET_KEY", secret);
        Process sluice = builder.start();
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
            String api = "http://127.0.0.1:" + httpPort;
            try (Connection db = DriverManager.getConnection(jdbc.group(1), "postgres",
                    Files.readString(work.resolve("data/postgres-password")).strip())) {
                seed(db);
                HttpClient http = HttpClient.newHttpClient();
                // the whole table, counted: what an unfiltered page costs (count(*) over 1M rows)
                long t0 = System.nanoTime();
                String whole = get(http, api + ROWS + "?size=100", 100);
                System.out.printf("unfiltered page (total %s): %.0f ms%n", field(whole, "total"), (System.nanoTime() - t0) / 1e6);
                t0 = System.nanoTime();
                String list = get(http, api + "/datasets", -1);
                System.out.printf("GET /datasets: %.0f ms (rain-gauge-readings rowCount %s)%n", (System.nanoTime() - t0) / 1e6,
                        list.replaceAll("(?s).*?\"name\":\"rain-gauge-readings\".*?\"rowCount\":(\\d+),\"rowCountExact\":(\\w+).*", "$1, exact $2"));

                run(http, api, Math.max(500, requests / 10), clients, new Random(1));
                System.out.printf("%d requests, %d client threads, 1,000,000 rows…%n", requests, clients);
                long start = System.nanoTime();
                List<Sample> samples = run(http, api, requests, clients, new Random(2));
                double seconds = (System.nanoTime() - start) / 1e9;
                report(samples, seconds);
            }
        } finally {
            sluice.destroy();
            sluice.waitFor();
            proxy.stop();
            context.close();
        }
    }

    /** 1,000 gauges × 1,000 hourly readings, loaded by generate_series (and analyzed, as autovacuum would). */
    static void seed(Connection db) throws Exception {
        long t0 = System.nanoTime();
        try (Statement s = db.createStatement()) {
            // the lineage column, as tables made from declarations carry it
            s.execute("alter table rain_readings add column if not exists ingest_run_id bigint");
            s.execute("truncate rain_readings");
            s.execute("""
                    insert into rain_readings (gauge_id, observed_at, rainfall_in, quality)
                    select 'B' || lpad(g::text, 4, '0'), timestamptz '2020-01-01T00:00:00Z' + h * interval '1 hour',
                           round((random() * 2)::numeric, 3), case when h %% 10 = 0 then 'estimated' end
                    from generate_series(1, %d) g, generate_series(0, %d) h""".formatted(GAUGES, HOURS - 1));
            s.execute("analyze rain_readings");
            try (ResultSet r = s.executeQuery("select count(*), pg_size_pretty(pg_total_relation_size('rain_readings')) from rain_readings")) {
                r.next();
                System.out.printf("seeded %,d rows (%s with its primary key) in %.1f s%n", r.getLong(1), r.getString(2), (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    static List<Sample> run(HttpClient http, String api, int requests, int clients, Random random) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>(requests));
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        long[] seeds = random.longs(clients).toArray();
        for (int c = 0; c < clients; c++) {
            Random mine = new Random(seeds[c]);
            workers.add(pool.submit(() -> {
                while (next.getAndIncrement() < requests) {
                    String gauge = "B" + String.format("%04d", 1 + mine.nextInt(GAUGES));
                    int hour = mine.nextInt(HOURS - 48);
                    int pick = mine.nextInt(100);
                    String kind;
                    String url;
                    int expected;
                    if (pick < 45) {
                        kind = "filtered page";
                        url = ROWS + "?gauge_id=" + gauge + "&observed_at.gte=" + START.plus(Duration.ofHours(hour))
                                + "&observed_at.lt=" + START.plus(Duration.ofHours(hour + 48)) + "&size=50";
                        expected = 48;
                    } else if (pick < 55) {
                        kind = "sorted page";
                        url = ROWS + "?gauge_id=" + gauge + "&sort=-observed_at&size=100&page=" + (1 + mine.nextInt(10));
                        expected = 100;
                    } else if (pick < 60) {
                        kind = "number range";
                        url = ROWS + "?gauge_id=" + gauge + "&rainfall_in.gt=1.9&size=100";
                        expected = -1;
                    } else {
                        kind = "one row";
                        url = ROWS + "/" + gauge + "/" + START.plus(Duration.ofHours(hour));
                        expected = -2;
                    }
                    long t0 = System.nanoTime();
                    get(http, api + url, expected);
                    samples.add(new Sample(kind, System.nanoTime() - t0));
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        return samples;
    }

    /** GETs the URL; expected ≥ 0: that many items, -1: any page, -2: one row. */
    static String get(HttpClient http, String url, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", AUTHORIZATION).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " → " + response.statusCode() + " " + response.body());
        }
        String body = response.body();
        if (expected >= 0) {
            int items = body.split("\"gauge_id\"", -1).length - 1;
            if (items != expected) {
                throw new IllegalStateException(url + " → " + items + " items, " + expected + " expected: " + body.substring(0, Math.min(300, body.length())));
            }
        } else if (expected == -2 && !body.contains("\"rainfall_in\"")) {
            throw new IllegalStateException(url + " → " + body);
        }
        return body;
    }

    static void report(List<Sample> samples, double seconds) {
        Map<String, List<Long>> byKind = new TreeMap<>();
        for (Sample s : samples) {
            byKind.computeIfAbsent(s.kind(), k -> new ArrayList<>()).add(s.nanos());
            byKind.computeIfAbsent("~ all", k -> new ArrayList<>()).add(s.nanos());
        }
        System.out.printf("%-14s %7s %8s %8s %8s %8s%n", "kind", "count", "p50 ms", "p90 ms", "p99 ms", "max ms");
        byKind.forEach((kind, nanos) -> {
            long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%-14s %7d %8.1f %8.1f %8.1f %8.1f%n", kind, sorted.length, pct(sorted, 50), pct(sorted, 90),
                    pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
        });
        System.out.printf("throughput: %.0f requests/s (%d in %.1f s)%n", samples.size() / seconds, samples.size(), seconds);
    }

    static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
