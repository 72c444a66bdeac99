import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retention purge benchmark: Sluice's purge of N expired objects (catalog rows and ledger rows with
 * them) vs the bare minimum done by hand in the same run: DeleteObjects in batches of 1000 keys from
 * one client, then one SQL DELETE for the catalog rows and one for the ledger rows. Both work on
 * their own N objects of the same sizes in the same S3 server (s3proxy, filesystem store) and the
 * same PostgreSQL (the one Sluice started). Target: Sluice ≤ 1.5 × the reference's time.
 *
 * Run with bench/purge-bench.sh [N=100000].
 */
public class PurgeBench {

    static final String API_PASSWORD = java.util.UUID.randomUUID().toString();
    static final String AUTHORIZATION = "Basic " + java.util.Base64.getEncoder()
            .encodeToString(("bench:" + API_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));

    public static void main(String[] args) throws Exception {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        int n = Integer.parseInt(args.length > 0 ? args[0] : "100000");
        Path work = Path.of("target/bench-purge").toAbsolutePath();
        Files.createDirectories(work);

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
        Path routes = routesWithoutSources(work);
        for (String source : List.of("bench-purge", "bench-warm")) {
            sourceFile(routes, source, "nowhere", "1h", "x/{yyyy}{mm}{dd}/*", "1d");
        }
        int httpPort = freePort();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of(System.getenv().getOrDefault("SLUICE_JAVA_OPTS",
                "-Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -Xss512k").split(" ")));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("sluice.log").toFile());
        builder.environment().put("SLUICE_DATA_DIR", work.resolve("data").toString());
        // the API wants credentials: the bench is the console user
        builder.environment().put("SLUICE_CONSOLE_USER", "bench");
        builder.environment().put("SLUICE_CONSOLE_PASSWORD", API_PASSWORD);
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("SLUICE_ROUTES_DIR", routes.toString());
        builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("SLUICE_JOLOKIA_PORT", String.valueOf(freePort()));
        builder.environment().put("SLUICE_S3_ENDPOINT", endpoint.toString());
        builder.environment().put("SLUICE_S3_ACCESS_KEY", key);
        builder.environment().put("SLUICE_S3_SECRET_KEY", secret);
        Process sluice = builder.start();
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret))).build()) {
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
                // warm-up of both paths
                seed(store, db, "bench-warm", 2000);
                purgeWithSluice(api, "bench-warm");
                seed(store, db, "bench-warm", 2000);
                purgeByHand(s3, db, "bench-warm");

                System.out.printf("seeding 2 × %d expired objects with catalog and ledger rows…%n", n);
                List<String> referenceKeys = seed(store, db, "bench-reference", n);
                seed(store, db, "bench-purge", n);
                // both halves start from a quiet disk: the seeding's dirty pages are written out first
                new ProcessBuilder("sync").inheritIO().start().waitFor();
                Thread.sleep(2000);

                long t0 = System.nanoTime();
                long deleted = purgeByHand(s3, db, "bench-reference");
                double referenceSeconds = (System.nanoTime() - t0) / 1e9;

                t0 = System.nanoTime();
                String summary = purgeWithSluice(api, "bench-purge");
                double sluiceSeconds = (System.nanoTime() - t0) / 1e9;

                long leftObjects = store.countBlobs("sluice", org.jclouds.blobstore.options.ListContainerOptions.Builder
                        .inDirectory("bench-purge").recursive());
                long leftRows = count(db, "select count(*) from catalog where source = 'bench-purge'")
                        + count(db, "select count(*) from file_ledger where source = 'bench-purge'");
                System.out.printf("purge of %d expired objects + %d catalog rows + %d ledger rows%n", n, n, n);
                System.out.printf("    reference (DeleteObjects × %d, one DELETE each for catalog and ledger): %.2f s (%d objects)%n",
                        (referenceKeys.size() + 999) / 1000, referenceSeconds, deleted);
                System.out.printf("    Sluice (POST /purge/runs?source=bench-purge)                          : %.2f s, left behind: %d objects, %d rows%n",
                        sluiceSeconds, leftObjects, leftRows);
                System.out.printf("    %s%n", summary.length() > 400 ? summary.substring(0, 400) + "…" : summary);
                System.out.printf("    ratio (Sluice ÷ reference): %.2f   target ≤ 1.5%n", sluiceSeconds / referenceSeconds);
            }
        } finally {
            sluice.destroy();
            sluice.waitFor();
            proxy.stop();
            context.close();
        }
    }

    /** n objects of 1–4 KiB under &lt;source&gt;/, their catalog rows and ledger rows, ingested 30 days ago. */
    static List<String> seed(BlobStore store, Connection db, String source, int n) throws Exception {
        List<String> keys = new ArrayList<>(n);
        StringBuilder catalog = new StringBuilder();
        StringBuilder ledger = new StringBuilder();
        Random random = new Random(n);
        byte[] bytes = new byte[4096];
        random.nextBytes(bytes);
        for (int i = 0; i < n; i++) {
            String key = "%s/2025/01/%02d/%02d/obj-%07d.grib2".formatted(source, 1 + i % 28, i % 24, i);
            int size = 1024 + random.nextInt(3072);
            store.putBlob("sluice", store.blobBuilder(key).payload(java.util.Arrays.copyOf(bytes, size)).contentLength(size).build());
            keys.add(key);
            catalog.append(source).append('\t').append(key).append('\t').append(size).append("\t2025-01-01T00:00:00Z\n");
            ledger.append(source).append('\t').append("up/").append(key).append("\tetag").append(i).append('\t').append(size)
                    .append("\tarchived\t").append(key).append("\t2025-01-01T00:00:00Z\n");
        }
        var copy = new org.postgresql.copy.CopyManager(db.unwrap(org.postgresql.core.BaseConnection.class));
        copy.copyIn("copy catalog (source, storage_key, bytes, ingested_at) from stdin", new StringReader(catalog.toString()));
        copy.copyIn("copy file_ledger (source, identity, content_hash, size_bytes, status, archive_key, updated_at) from stdin",
                new StringReader(ledger.toString()));
        try (Statement s = db.createStatement()) {
            s.execute("analyze catalog");
            s.execute("analyze file_ledger");
        }
        return keys;
    }

    static long purgeByHand(S3Client s3, Connection db, String source) throws Exception {
        List<String> keys = new ArrayList<>();
        try (Statement s = db.createStatement(); var rows = s.executeQuery(
                "select storage_key from catalog where source = '" + source + "' and ingested_at < now() - interval '1 day'")) {
            while (rows.next()) {
                keys.add(rows.getString(1));
            }
        }
        long deleted = 0;
        for (int from = 0; from < keys.size(); from += 1000) {
            List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket("sluice").delete(d -> d.quiet(true).objects(batch)));
            deleted += batch.size() - response.errors().size();
        }
        long sqlStart = System.nanoTime();
        try (Statement s = db.createStatement()) {
            s.executeUpdate("delete from catalog where source = '" + source + "' and ingested_at < now() - interval '1 day'");
            s.executeUpdate("delete from file_ledger where source = '" + source + "' and updated_at < now() - interval '1 day'");
        }
        System.out.printf("    (reference %s: SQL DELETEs %.2f s of it)%n", source, (System.nanoTime() - sqlStart) / 1e9);
        return deleted;
    }

    static String purgeWithSluice(String api, String source) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/purge/runs?source=" + source))
                .timeout(java.time.Duration.ofMinutes(30)).header("Authorization", AUTHORIZATION)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static long count(Connection db, String sql) throws Exception {
        try (Statement s = db.createStatement(); var rows = s.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    // sourceFile and routesWithoutSources stand in both benches alike: each bench is one source file that
    // `java bench/X.java` runs (Java 17's launcher compiles a single file, so they cannot share a class)

    /** A bench source as a user adds one: a route file on the sluice-bucket-source Kamelet, never scheduled (the bench asks for runs). */
    static void sourceFile(Path routes, String name, String bucket, String period, String keys, String retention) throws IOException {
        Files.writeString(routes.resolve(name + ".camel.yaml"), """
                - route:
                    id: ingest-%1$s
                    from:
                      uri: "kamelet:sluice-bucket-source/%1$s-poll"
                      parameters:
                        source: %1$s
                        bucket: %2$s
                        schedule: "0 0 0 1 1 ? 2099"
                        period: %3$s
                        keys: "%4$s"
                        retention: "%5$s"
                      steps:
                        - kamelet:
                            name: "sluice-object-copy-action/%1$s-copy"
                        - to: "kamelet:sluice-catalog-sink/%1$s-catalogue"
                """.formatted(name, bucket, period, keys, retention));
    }

    /** The repository's route files but its shipped sources: the bench's process polls only its own. */
    static Path routesWithoutSources(Path work) throws IOException {
        Path routes = Files.createDirectories(work.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path route : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                if (!Files.readString(route).contains("kamelet:sluice-bucket-source")) {
                    Files.copy(route, routes.resolve(route.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return routes;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
