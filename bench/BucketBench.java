import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bucket-source benchmarks, each against a reference measured in the same run.
 *
 * (a) poll: a poll of a source whose upstream keys (20,000 and 100,000 by default, one source each)
 *     are all already in the ledger, vs a reference client issuing the same ListObjectsV2 requests
 *     (Sluice's prefix, the default page size of 1000) one after another. The upstream server counts
 *     the list requests and GETs of each side; the ratio isolates Sluice's own work (template
 *     matching, the ledger query per page, the run record). The keys live in a sorted in-memory
 *     listing, so the server's own listing cost is small and does not hide Sluice's.
 * (b) copy: one big object (512 MB by default) and 300 × 1 MB objects copied upstream → our bucket
 *     by Sluice, vs awscli and rclone, run by bucket-bench.sh against the same two servers.
 *
 * Run with bench/bucket-bench.sh, which builds the classpath.
 */
public class BucketBench {

    static final String API_PASSWORD = java.util.UUID.randomUUID().toString();
    static final String AUTHORIZATION = "Basic " + java.util.Base64.getEncoder()
            .encodeToString(("bench:" + API_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));

    static final AtomicLong GETS = new AtomicLong();
    static final AtomicLong LISTS = new AtomicLong();

    public static void main(String[] args) throws Exception {
        List<Integer> keyCounts = java.util.Arrays.stream((args.length > 0 ? args[0] : "20000,100000").split(","))
                .map(String::trim).map(Integer::valueOf).toList();
        int bigMb = Integer.parseInt(args.length > 1 ? args[1] : "512");
        int smallCount = Integer.parseInt(args.length > 2 ? args[2] : "300");
        // the S3 servers here log through JBoss LogManager (on the classpath), whose root logger
        // otherwise lets DEBUG through: Jetty then formats a debug line for every chunk of every
        // request body, which made the servers, not the clients, the bottleneck of the copies
        org.jboss.logmanager.LogContext.getLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        Path work = Path.of("target/bench-bucket").toAbsolutePath();
        Files.createDirectories(work);
        Path upstreamDir = Files.createDirectories(work.resolve("upstream"));

        System.out.printf("seeding the upstream: %s keys to poll, one %d MB object, %d × 1 MB objects…%n", keyCounts, bigMb, smallCount);
        // the keys of (a) live in a sorted in-memory listing: s3proxy's filesystem store walks the
        // whole bucket for every listing page, and jclouds' transient store sorts all keys for every
        // page, which made the reference itself take 19 s over 100k keys
        BlobStoreContext pollContext = ContextBuilder.newBuilder("transient").build(BlobStoreContext.class);
        BlobStore pollStore = pollContext.getBlobStore();
        java.util.Map<String, java.util.NavigableMap<String, org.jclouds.blobstore.domain.StorageMetadata>> listings = new java.util.HashMap<>();
        for (int keys : keyCounts) {
            String bucket = "bench-poll-" + keys;
            pollStore.createContainerInLocation(null, bucket);
            java.util.NavigableMap<String, org.jclouds.blobstore.domain.StorageMetadata> listing = new java.util.TreeMap<>();
            java.util.Date modified = new java.util.Date();
            for (int i = 0; i < keys; i++) {
                var metadata = new org.jclouds.blobstore.domain.internal.MutableStorageMetadataImpl();
                metadata.setName("day/20250101/obj-%06d.bin".formatted(i));
                metadata.setType(org.jclouds.blobstore.domain.StorageType.BLOB);
                metadata.setETag("%032x".formatted(metadata.getName().hashCode() & 0xffffffffL));
                metadata.setSize(2L);
                metadata.setLastModified(modified);
                metadata.setCreationDate(modified);
                metadata.setTier(org.jclouds.blobstore.domain.Tier.STANDARD);
                listing.put(metadata.getName(), metadata);
            }
            listings.put(bucket, listing);
        }
        Path copy = Files.createDirectories(upstreamDir.resolve("bench-copy/big/20250101"));
        byte[] block = new byte[1 << 20];
        new Random(1).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(copy.resolve("object-2g.bin"))) {
            for (int i = 0; i < bigMb; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
        }
        // warm-up data: the first copies also warm up both S3 servers' JIT, for Sluice and awscli alike
        Path warm = Files.createDirectories(upstreamDir.resolve("bench-copy/warm/20250101"));
        for (int i = 0; i < 100; i++) {
            Files.write(warm.resolve("obj-%04d.bin".formatted(i)), block);
        }
        try (OutputStream out = Files.newOutputStream(warm.resolve("object-big.bin"))) {
            for (int i = 0; i < 128; i++) {
                out.write(block);
            }
        }
        Path small = Files.createDirectories(upstreamDir.resolve("bench-copy/small/20250101"));
        for (int i = 0; i < smallCount; i++) {
            block[1] = (byte) i;
            block[2] = (byte) (i >> 8);
            Files.write(small.resolve("obj-%04d.bin".formatted(i)), block);
        }

        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", upstreamDir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(overrides).build(BlobStoreContext.class);
        URI upstream = URI.create("http://127.0.0.1:" + freePort());
        S3Proxy proxy = S3Proxy.builder().blobStore(new CountingBlobStore(new BucketRouter(context.getBlobStore(), pollStore, listings))).endpoint(upstream)
                .awsAuthentication(AuthenticationType.NONE, "", "").build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }

        // our object store is a separate server too, so Sluice's RSS is Sluice's alone
        Properties ourOverrides = new Properties();
        ourOverrides.setProperty("jclouds.filesystem.basedir", Files.createDirectories(work.resolve("ours")).toString());
        BlobStoreContext ourContext = ContextBuilder.newBuilder("filesystem").overrides(ourOverrides).build(BlobStoreContext.class);
        URI ours = URI.create("http://127.0.0.1:" + freePort());
        String ourKey = "bench" + Long.toHexString(new Random().nextLong());
        String ourSecret = Long.toHexString(new Random().nextLong()) + Long.toHexString(new Random().nextLong());
        S3Proxy ourProxy = S3Proxy.builder().blobStore(ourContext.getBlobStore()).endpoint(ours)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ourKey, ourSecret).build();
        ourProxy.start();
        while (!"STARTED".equals(ourProxy.getState())) {
            Thread.sleep(10);
        }

        Path routes = routesWithoutSources(work);
        for (int keys : keyCounts) {
            sourceFile(routes, "bench-poll-" + keys, "bench-poll-" + keys, "1d", "day/{yyyy}{mm}{dd}/obj-*.bin", "");
        }
        sourceFile(routes, "bench-copy-big", "bench-copy", "1d", "big/{yyyy}{mm}{dd}/*.bin", "");
        sourceFile(routes, "bench-copy-warm", "bench-copy", "1d", "warm/{yyyy}{mm}{dd}/*.bin", "");
        sourceFile(routes, "bench-copy-small", "bench-copy", "1d", "small/{yyyy}{mm}{dd}/*.bin", "");
        int httpPort = freePort();
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(List.of(System.getenv().getOrDefault("SLUICE_JAVA_OPTS",
                // README command 1 (its argument file: the build's class-data archive, native heap trim)
                // plus the options the README recommends for copy-heavy deployments
                "@target/quarkus-app/sluice.jvm -Xmx96m -XX:+UseSerialGC -XX:ReservedCodeCacheSize=48m -Xss512k").split(" ")));
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        System.out.println("Sluice runs as: " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(work.resolve("sluice.log").toFile());
        // JDK_JAVA_OPTIONS (say, a profiler for the servers here) is for this JVM only
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().put("SLUICE_DATA_DIR", work.resolve("data").toString());
        // the API wants credentials: the bench is the console user
        builder.environment().put("SLUICE_CONSOLE_USER", "bench");
        builder.environment().put("SLUICE_CONSOLE_PASSWORD", API_PASSWORD);
        // glibc's per-thread malloc arenas are the largest part of a JVM's RSS beyond its heap
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().put("SLUICE_ROUTES_DIR", routes.toString());
        builder.environment().put("SLUICE_SOURCES_ENDPOINT", upstream.toString());
        builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("SLUICE_S3_ENDPOINT", ours.toString());
        builder.environment().put("SLUICE_S3_ACCESS_KEY", ourKey);
        builder.environment().put("SLUICE_S3_SECRET_KEY", ourSecret);
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

            // (a) the poll over already-ingested keys vs the same ListObjectsV2 requests, bare
            try (S3Client s3 = S3Client.builder().httpClient(software.amazon.awssdk.http.apache.ApacheHttpClient.create())
                    .endpointOverride(upstream).region(Region.US_EAST_1).forcePathStyle(true)
                    .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
                String jdbcUrl = jdbc.group(1) + "?user=postgres&password=" + Files.readString(work.resolve("data/postgres-password")).strip();
                // the prefix Sluice lists for "day/{yyyy}{mm}{dd}/obj-*.bin" on 2025-01-01; page size: the default (1000)
                String prefix = "day/20250101/obj-";
                for (int keys : keyCounts) {
                    String bucket = "bench-poll-" + keys;
                    // the ledger as a first full poll would have left it, then the first poll of each side warms up
                    seedLedger(jdbcUrl, bucket, list(s3, bucket, prefix));
                    run(api, bucket);
                    long listsBefore = LISTS.get();
                    long t0 = System.nanoTime();
                    int count = list(s3, bucket, prefix).size();
                    double listSeconds = (System.nanoTime() - t0) / 1e9;
                    long referenceLists = LISTS.get() - listsBefore;
                    listsBefore = LISTS.get();
                    long getsBefore = GETS.get();
                    t0 = System.nanoTime();
                    String result = run(api, bucket);
                    double pollSeconds = (System.nanoTime() - t0) / 1e9;
                    long sluiceLists = LISTS.get() - listsBefore;
                    long gets = GETS.get() - getsBefore;
                    System.out.printf("(a) poll over %d already-ingested keys (prefix %s)%n", count, prefix);
                    System.out.printf("    reference, same ListObjectsV2 requests : %.2f s, %d list requests, %.1f ms per 1,000 keys%n",
                            listSeconds, referenceLists, listSeconds * 1e6 / count);
                    System.out.printf("    Sluice poll (list + ledger + run row)  : %.2f s, %d list requests, %.1f ms per 1,000 keys, upstream GETs: %d   %s%n",
                            pollSeconds, sluiceLists, pollSeconds * 1e6 / count, gets, result);
                    System.out.printf("    ratio (poll time ÷ reference time)     : %.2f   target ≤ 1.3 and 0 GETs%n", pollSeconds / listSeconds);
                }
            }

            // (b) copying, Sluice vs awscli, same data, same endpoints
            long[] rss = {0};
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
            run(api, "bench-copy-warm");
            // CPU time of the Sluice process too: on 2 cores every client CPU-second is taken from the servers
            double cpu0 = cpuSeconds(sluice.pid());
            long t0 = System.nanoTime();
            String big = run(api, "bench-copy-big");
            double bigSeconds = (System.nanoTime() - t0) / 1e9;
            double cpu1 = cpuSeconds(sluice.pid());
            t0 = System.nanoTime();
            String smalls = run(api, "bench-copy-small");
            double smallSeconds = (System.nanoTime() - t0) / 1e9;
            double cpu2 = cpuSeconds(sluice.pid());
            sampler.interrupt();
            System.out.printf("(b) copy upstream → our bucket%n");
            System.out.printf("    Sluice: 1 × %d MB in %.1f s (%.0f MB/s), %.1f CPU-s %s%n", bigMb, bigSeconds, bigMb / bigSeconds, cpu1 - cpu0, big);
            System.out.printf("    Sluice: %d × 1 MB in %.1f s (%.0f MB/s), %.1f CPU-s %s%n", smallCount, smallSeconds, smallCount / smallSeconds, cpu2 - cpu1, smalls);
            System.out.printf("    Sluice peak RSS during the copies: %d MiB   target ≤ 300%n", rss[0] / 1024);
            String[] credentials = {ourKey, ourSecret};
            if (args.length > 3) {
                // bucket-bench.sh runs awscli now, against these endpoints, and tells us when it is done
                Files.writeString(work.resolve("endpoints"), "UPSTREAM=" + upstream + "\nOURS=" + ours + "\nKEY=" + credentials[0]
                        + "\nSECRET=" + credentials[1] + "\nBIG_S=" + bigSeconds + "\nSMALL_S=" + smallSeconds + "\n");
                while (!Files.exists(work.resolve("awscli-done"))) {
                    Thread.sleep(500);
                }
            }
        } finally {
            sluice.destroy();
            sluice.waitFor();
            proxy.stop();
            context.close();
            pollContext.close();
            ourProxy.stop();
            ourContext.close();
        }
    }

    static List<S3Object> list(S3Client s3, String bucket, String prefix) {
        List<S3Object> all = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).continuationToken(t));
            all.addAll(page.contents());
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return all;
    }

    /** The ledger as a first full poll would have left it (that poll itself would take minutes of GETs). */
    static void seedLedger(String jdbc, String source, List<S3Object> objects) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc)) {
            StringBuilder rows = new StringBuilder();
            for (S3Object o : objects) {
                rows.append(source).append('\t').append(o.key()).append('\t').append(o.eTag() != null ? o.eTag() : "size=" + o.size() + ",modified=" + o.lastModified()).append('\t')
                        .append(o.size()).append("\tarchived\n");
            }
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class)).copyIn(
                    "copy file_ledger (source, identity, content_hash, size_bytes, status) from stdin",
                    new java.io.StringReader(rows.toString()));
        }
    }

    static String run(String api, String source) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + "/sources/" + source + "/runs?period=2025-01-01"))
                .timeout(java.time.Duration.ofMinutes(30)).header("Authorization", AUTHORIZATION)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
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

    /** user + system CPU time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s) */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
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

    /** One upstream with two stores behind it: the bench-poll-* buckets in memory (listing only), the rest on disk. */
    static final class BucketRouter extends ForwardingBlobStore {
        private final BlobStore poll;
        private final java.util.Map<String, java.util.NavigableMap<String, org.jclouds.blobstore.domain.StorageMetadata>> listings;

        BucketRouter(BlobStore files, BlobStore poll,
                     java.util.Map<String, java.util.NavigableMap<String, org.jclouds.blobstore.domain.StorageMetadata>> listings) {
            super(files);
            this.poll = poll;
            this.listings = listings;
        }

        @Override
        protected BlobStore delegate() {
            return super.delegate();
        }

        private BlobStore of(String container) {
            return listings.containsKey(container) ? poll : super.delegate();
        }

        @Override
        public org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> list(
                String container, org.jclouds.blobstore.options.ListContainerOptions options) {
            java.util.NavigableMap<String, org.jclouds.blobstore.domain.StorageMetadata> listing = listings.get(container);
            if (listing == null) {
                return super.delegate().list(container, options);
            }
            // a page of a flat listing: keys after the marker with the prefix, in order
            String prefix = options.getPrefix() == null ? "" : options.getPrefix();
            String marker = options.getMarker();
            int max = options.getMaxResults() == null ? 1000 : options.getMaxResults();
            var tail = marker != null && marker.compareTo(prefix) >= 0 ? listing.tailMap(marker, false) : listing.tailMap(prefix, true);
            List<org.jclouds.blobstore.domain.StorageMetadata> page = new ArrayList<>();
            String next = null;
            for (var entry : tail.entrySet()) {
                if (!entry.getKey().startsWith(prefix)) {
                    break;
                }
                if (page.size() == max) {
                    next = page.get(page.size() - 1).getName();
                    break;
                }
                page.add(entry.getValue());
            }
            return new org.jclouds.blobstore.domain.internal.PageSetImpl<>(page, next);
        }

        @Override
        public Blob getBlob(String container, String name) {
            return of(container).getBlob(container, name);
        }

        @Override
        public Blob getBlob(String container, String name, GetOptions options) {
            return of(container).getBlob(container, name, options);
        }

        @Override
        public boolean containerExists(String container) {
            return of(container).containerExists(container);
        }

        @Override
        public org.jclouds.blobstore.domain.BlobMetadata blobMetadata(String container, String name) {
            return of(container).blobMetadata(container, name);
        }
    }

    /** Counts object GETs and list requests as the upstream server sees them. */
    static final class CountingBlobStore extends ForwardingBlobStore {
        CountingBlobStore(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public org.jclouds.blobstore.domain.PageSet<? extends org.jclouds.blobstore.domain.StorageMetadata> list(
                String container, org.jclouds.blobstore.options.ListContainerOptions options) {
            LISTS.incrementAndGet();
            return super.list(container, options);
        }

        @Override
        public Blob getBlob(String container, String name) {
            GETS.incrementAndGet();
            return super.getBlob(container, name);
        }

        @Override
        public Blob getBlob(String container, String name, GetOptions options) {
            GETS.incrementAndGet();
            return super.getBlob(container, name, options);
        }
    }
}
