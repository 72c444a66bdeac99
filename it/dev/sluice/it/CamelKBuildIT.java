package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `kamel run routes/&lt;file&gt;` really runs. For an Integration CR of kubernetes/camel-k/, the project the
 * Camel K 2.10.1 operator generates is built from the CR alone ({@link CamelKBuilder}), with the
 * processors artifact installed the way the README tells a user to (`mvn -B -f processors/pom.xml
 * install`); the result is started as the operator starts the container ({@link CamelKContainer}), with
 * only the ConfigMap and Secret the README tells a user to create, against a real PostgreSQL and S3
 * server; and the route must do its job: rows loaded, objects stored, catalogued or purged, requests
 * answered.
 *
 * <p>`mvn -B verify` builds one integration of each kind, one after another: landing-ingest,
 * noaa-mrms (a source route file on the sluice-bucket-source Kamelet, deployed twice: with the Kamelets
 * from the processors jar, then with them as Kamelet CRs the operator mounts), retention-purge (as the
 * CronJob it is: one run, exit 0) and catalog-api.
 * it/camel-k-build.sh builds every CR ({@code -Dsluice.camel-k.integrations=all}, or a list of names).
 */
class CamelKBuildIT {

    /** Every CR, in the order `all` runs them (outbox-bronze before bronze-silver: it makes the bronze). */
    private static final List<String> ALL = List.of("sluice-landing-ingest", "sluice-noaa-mrms", "sluice-http-ingest",
            "sluice-outbox-bronze", "sluice-bronze-silver", "sluice-retention-purge", "sluice-catalog-api", "sluice-sources-api",
            "sluice-status-api", "sluice-datasets-api");
    private static final String CI = "sluice-landing-ingest,sluice-noaa-mrms,sluice-retention-purge,sluice-catalog-api";
    private static final Path CRS = Path.of("kubernetes/camel-k");
    /** the Kamelet CRs shipped next to the Integrations (`kubectl apply -f kubernetes/camel-k/kamelets/`) */
    private static final Path KAMELET_CRS = CRS.resolve("kamelets");
    /** the source route file the sluice-noaa-mrms CR is generated from */
    private static final Path NOAA_MRMS = Path.of("routes/noaa-mrms.camel.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String PROCESSORS_INSTALL = "mvn -B -f processors/pom.xml install";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** SLUICE_CONSOLE_USER is not in the Secret: its default */
    private static final String CONSOLE_USER = "admin";
    private static final String CONSOLE_PASSWORD = "camel-k-" + Long.toHexString(System.nanoTime());

    private static Path base;
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedS3Server store;
    private static EmbeddedS3Server upstream;
    private static HttpServer district;
    private static CamelKContainer.Namespace namespace;
    private static S3Client storeClient;
    private static final List<String> report = new ArrayList<>();
    /**
     * The projects built, by what they are made of (pom without its timestamp, application.properties) →
     * their quarkus-app: as the operator reuses an IntegrationKit whose dependencies and traits match.
     */
    private static final Map<String, Path> kits = new LinkedHashMap<>();

    @BeforeAll
    static void installTheProcessorsAndStartWhatTheIntegrationsUse() throws Exception {
        // the SDK in this JVM talks to s3proxy, which does not know the default flexible checksums
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        base = Files.createTempDirectory("sluice-camel-k-");
        installProcessors();
        postgres = EmbeddedPostgresServer.start(base.resolve("postgres"));
        store = EmbeddedS3Server.start(base.resolve("store"));
        upstream = EmbeddedS3Server.start(base.resolve("upstream"), false);
        district = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        district.createContext("/rain/", exchange -> {
            byte[] csv = "gauge_id,observed_at,rainfall_in\nCAMELK-HTTP,2025-01-01 00:00,0.1\nCAMELK-HTTP,2025-01-01 01:00,0.2\n"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/csv");
            exchange.sendResponseHeaders(200, csv.length);
            exchange.getResponseBody().write(csv);
            exchange.close();
        });
        district.start();
        // what the README tells a Camel K user to create: ConfigMap sluice-config, Secret sluice-credentials (the
        // keys of kubernetes/base's, the reader's password empty: no reader)
        Map<String, Map<String, String>> configMaps = new LinkedHashMap<>();
        Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
        configMaps.put("sluice-config", Map.of(
                "SLUICE_DB_URL", postgres.jdbcUrl(),
                "SLUICE_S3_ENDPOINT", store.endpoint().toString()));
        secrets.put("sluice-credentials", Map.of(
                "SLUICE_DB_USER", postgres.username(),
                "SLUICE_DB_PASSWORD", postgres.password(),
                "SLUICE_S3_ACCESS_KEY", store.accessKey(),
                "SLUICE_S3_SECRET_KEY", store.secretKey(),
                "SLUICE_CONSOLE_PASSWORD", CONSOLE_PASSWORD,
                "SLUICE_READER_PASSWORD", ""));
        // and what the tests add to the HTTP ingest, as a user adds an HTTP source: its declaration in a ConfigMap
        // (a bucket source is a route file of its own: sluice-noaa-mrms)
        configMaps.put("sluice-sources", Map.of(
                "camelk-http.yaml", """
                        type: http
                        name: camelk-http
                        url: "http://127.0.0.1:%d/rain/wy{water_year}.csv"
                        period: water_year
                        dataset: rain-gauge-readings
                        schedules:
                          - {cron: "* * * * *", periods: current}
                        """.formatted(district.getAddress().getPort())));
        namespace = new CamelKContainer.Namespace(configMaps, secrets);
    }

    /** The README's command, run as a user runs it in a checkout (and like this build: offline when it is). */
    private static void installProcessors() throws Exception {
        Path log = base.resolve("processors-install.log");
        Instant started = Instant.now();
        int exit = CamelKBuilder.Maven.run(Path.of("").toAbsolutePath(), log, Duration.ofMinutes(10),
                "-f", "processors/pom.xml", "install");
        assertEquals(0, exit, PROCESSORS_INSTALL + " failed:\n" + CamelKBuilder.tail(Files.readString(log), 80));
        Path jar = Path.of("target/sluice-processors/sluice-processors-0.1.0-SNAPSHOT.jar");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertNotNull(zip.getEntry("META-INF/jandex.idx"), "the processors jar carries a bean index");
            assertNotNull(zip.getEntry("META-INF/microprofile-config.properties"), "and Sluice's settings");
            assertNotNull(zip.getEntry("db/migration/V1__ledger_runs_dead_letters.sql"), "and the migrations");
        }
        report.add("processors: `" + PROCESSORS_INSTALL + "` in " + seconds(Duration.between(started, Instant.now())));
    }

    @AfterAll
    static void stop() throws Exception {
        System.out.println("Camel K builds (Camel K " + CamelKBuilder.CAMEL_K_VERSION + ", plain-quarkus):\n  " + String.join("\n  ", report));
        if (base != null) {
            Files.createDirectories(Path.of("target/camel-k-build"));
            Files.writeString(Path.of("target/camel-k-build/report.txt"), String.join("\n", report) + "\n");
        }
        if (district != null) {
            district.stop(0);
        }
        for (AutoCloseable server : new AutoCloseable[] {storeClient, upstream, store, postgres}) {
            if (server != null) {
                server.close();
            }
        }
        TempDirs.delete(base);
    }

    @TestFactory
    Stream<DynamicTest> everyIntegrationShouldBuildAsCamelKBuildsItAndDoItsJob() throws IOException {
        try (Stream<Path> files = Files.list(CRS)) {
            TreeSet<String> present = new TreeSet<>(files.filter(f -> Files.isRegularFile(f) && f.toString().endsWith(".yaml"))
                    .map(f -> f.getFileName().toString().replace(".yaml", "")).toList());
            assertEquals(new TreeSet<>(ALL), present, "every CR has a job to check here");
        }
        String selected = System.getProperty("sluice.camel-k.integrations", CI);
        List<String> names = selected.equals("all") ? ALL : List.of(selected.split(","));
        return names.stream().flatMap(name -> ALL.contains(name)
                ? jobs(name).entrySet().stream().map(job -> DynamicTest.dynamicTest(job.getKey(), () -> run(name, job.getKey(), job.getValue())))
                : Stream.of(DynamicTest.dynamicTest(name, () -> assertTrue(false, "no CR named " + name))));
    }

    private void run(String name, String label, Job job) throws Exception {
        CamelKIntegration integration = job.options(CamelKIntegration.read(CRS.resolve(name + ".yaml")));
        CamelKContainer.Namespace in = job.namespace(namespace);
        String where = label.replaceAll("[^A-Za-z0-9-]+", "-").replaceAll("-+$", "");
        Path directory = Files.createDirectories(base.resolve(where));
        Path project = directory.resolve("project");
        CamelKBuilder.generate(integration, in.kameletsOf(integration).values(), project);
        String kit = Files.readString(project.resolve("pom.xml")).replaceAll("<project.build.outputTimestamp>[^<]*<", "<")
                + Files.readString(project.resolve("src/main/resources/application.properties"));
        Path quarkusApp = kits.get(kit);
        String built;
        if (quarkusApp == null) {
            built = "build " + seconds(CamelKBuilder.build(project));
            quarkusApp = project.resolve("target/quarkus-app");
            kits.put(kit, quarkusApp);
        } else {
            built = "the kit of an earlier build (the same project)";
        }
        job.seed();
        CamelKContainer container = CamelKContainer.start(integration, quarkusApp, in, directory.resolve("container"));
        try (container) {
            Duration started = container.awaitStarted(Duration.ofMinutes(2));
            String held = job.check(container);
            String line = "%s: %s, start %s%s; %s".formatted(label, built, seconds(started),
                    integration.runsAsCronJob() ? " (CronJob)" : "", held);
            report.add(line);
            System.out.println(line);
        } finally {
            // kept for a look afterwards: the generated project's pom and the build's and the container's logs
            Path kept = Files.createDirectories(Path.of("target/camel-k-build", where));
            Files.copy(project.resolve("pom.xml"), kept.resolve("pom.xml"), StandardCopyOption.REPLACE_EXISTING);
            if (Files.exists(project.resolve("build.log"))) {
                Files.copy(project.resolve("build.log"), kept.resolve("build.log"), StandardCopyOption.REPLACE_EXISTING);
            }
            Files.writeString(kept.resolve("container.log"), container.log());
        }
    }

    /** What a kind of integration is asked to do: options added to `kamel run`, data before it starts, the outcome. */
    private interface Job {
        default CamelKIntegration options(CamelKIntegration integration) throws IOException {
            return integration;
        }

        /** The namespace it runs in (its ConfigMaps, Secrets, Kamelet CRs). */
        default CamelKContainer.Namespace namespace(CamelKContainer.Namespace namespace) {
            return namespace;
        }

        default void seed() throws Exception {
        }

        /** The assertion that held, as a sentence. */
        String check(CamelKContainer container) throws Exception;
    }

    /** The jobs of a CR, by test name: one, but two deployments of the source route file. */
    private Map<String, Job> jobs(String name) {
        Map<String, Job> jobs = new LinkedHashMap<>();
        if (name.equals("sluice-noaa-mrms")) {
            jobs.put(name + " (Kamelets from the processors jar, no Kamelet CR)", new SourceRouteJob(false, "obj-1.bin"));
            jobs.put(name + " (Kamelet CRs mounted by the operator)", new SourceRouteJob(true, "obj-2.bin"));
        } else {
            jobs.put(name, job(name));
        }
        return jobs;
    }

    /**
     * routes/noaa-mrms.camel.yaml deployed as its CR says, the upstream this test's: the same file (its
     * modeline, the CR's spec, and its route on the sluice-bucket-source Kamelet) with the upstream
     * parameters of a local bucket and a poll every 5 s. Either the Kamelets are not in the cluster (the
     * runtime finds them at classpath:kamelets, in the processors jar) or their CRs are
     * (kubernetes/camel-k/kamelets/): the operator mounts them, and they come first.
     */
    private static final class SourceRouteJob implements Job {
        private final boolean kameletCrs;
        private final String key;

        SourceRouteJob(boolean kameletCrs, String object) {
            this.kameletCrs = kameletCrs;
            this.key = "obs/%s/%s".formatted(LocalDate.now(ZoneOffset.UTC).toString().replace("-", ""), object);
        }

        @Override
        public CamelKIntegration options(CamelKIntegration integration) throws IOException {
            assertEquals(Files.readString(NOAA_MRMS), integration.sourceContent(), "the CR holds routes/noaa-mrms.camel.yaml");
            CamelKIntegration deployed = integration.withSource(NOAA_MRMS.getFileName().toString(), testSourceFile());
            assertEquals(java.util.Set.of("sluice-bucket-source", "sluice-object-copy-action", "sluice-catalog-sink"), deployed.kamelets());
            return deployed;
        }

        @Override
        public CamelKContainer.Namespace namespace(CamelKContainer.Namespace namespace) {
            return kameletCrs ? namespace.withKamelets(kameletCrs()) : namespace;
        }

        @Override
        public void seed() {
            try (S3Client s3 = s3(upstream.endpoint(), AnonymousCredentialsProvider.create())) {
                createBucket(s3, "camelk-upstream");
                s3.putObject(b -> b.bucket("camelk-upstream").key(key), RequestBody.fromString("an upstream object for Camel K: " + key));
            }
        }

        @Override
        public String check(CamelKContainer container) throws Exception {
            if (kameletCrs) {
                assertTrue(Files.isRegularFile(container.path("/etc/camel/kamelets/kamelets-bundle-sluice-noaa-mrms-001/sluice-bucket-source.kamelet.yaml")),
                        "the Kamelet CRs are mounted");
            }
            // the source polls every 5 s
            await(Duration.ofSeconds(90), container, () -> count("select count(*) from catalog where source = 'noaa-mrms' and upstream_key = '" + key + "'") == 1);
            String stored = text("select storage_key from catalog where source = 'noaa-mrms' and upstream_key = '" + key + "'");
            String content = storeClient().getObjectAsBytes(b -> b.bucket("sluice").key(stored)).asUtf8String();
            assertEquals("an upstream object for Camel K: " + key, content);
            // every upstream object once (the earlier deployment's too: this one found it in the ledger)
            long upstreamObjects;
            try (S3Client s3 = s3(upstream.endpoint(), AnonymousCredentialsProvider.create())) {
                // (s3proxy's file system lists the directories too: keys ending in /)
                upstreamObjects = s3.listObjectsV2(b -> b.bucket("camelk-upstream").prefix("obs/")).contents().stream()
                        .filter(o -> !o.key().endsWith("/")).count();
            }
            assertEquals(upstreamObjects, count("select count(*) from catalog where source = 'noaa-mrms' and upstream_key like 'obs/%'"));
            assertEquals(upstreamObjects, count("select count(distinct upstream_key) from catalog where source = 'noaa-mrms' and upstream_key like 'obs/%'"));
            assertEquals(upstreamObjects, count("select count(*) from file_ledger where source = 'noaa-mrms' and status = 'archived'"));
            // declared by its route (SourceRoutes), for the integrations that do not run it
            assertEquals(1, count("select count(*) from source_declaration where name = 'noaa-mrms' and kind = 'bucket'"));
            return "upstream " + key + " stored byte for byte as " + stored + " and catalogued, " + upstreamObjects
                    + " upstream object(s) each once, the source declared" + (kameletCrs ? " (the Kamelet CRs mounted, first in camel.component.kamelet.location)" : "");
        }
    }

    /** routes/noaa-mrms.camel.yaml, its upstream this test's: bucket camelk-upstream, a key a day, polled every 5 s. */
    private static String testSourceFile() throws IOException {
        String shipped = Files.readString(NOAA_MRMS);
        StringBuilder file = new StringBuilder();
        shipped.lines().filter(l -> l.startsWith("# camel-k:")).forEach(l -> file.append(l).append('\n'));
        JsonNode routes = YAML.readTree(shipped);
        ObjectNode parameters = (ObjectNode) routes.get(0).path("route").path("from").path("parameters");
        assertEquals("noaa-mrms", parameters.path("source").asText());
        parameters.put("bucket", "camelk-upstream");
        parameters.put("endpoint", upstream.endpoint().toString());
        parameters.put("schedule", "0/5 * * * * ?");
        parameters.put("period", "1d");
        parameters.put("availabilityDelay", "0m");
        parameters.put("lookBack", "1d");
        parameters.put("keys", "obs/{yyyy}{mm}{dd}/obj-*.bin");
        parameters.remove("products");
        return file.append(YAML.writeValueAsString(routes)).toString();
    }

    /** kubernetes/camel-k/kamelets/: name → CR. */
    private static Map<String, String> kameletCrs() {
        Map<String, String> crs = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(KAMELET_CRS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".kamelet.yaml")).sorted().toList()) {
                String cr = Files.readString(file);
                crs.put(YAML.readTree(cr).path("metadata").path("name").asText(), cr);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(3, crs.size(), "the Kamelet CRs: " + crs.keySet());
        return crs;
    }

    /**
     * noaa-mrms as its integration (sluice-noaa-mrms) declares it when it runs (source_declaration: the
     * parameters of its route file), unless it has run here already: what the purge and the sources API
     * of other integrations know it by.
     */
    private static void declaredByItsIntegration() throws Exception {
        migrate();
        JsonNode parameters = YAML.readTree(NOAA_MRMS.toFile()).get(0).path("route").path("from").path("parameters");
        Map<String, String> written = new java.util.TreeMap<>();
        parameters.fields().forEachRemaining(p -> written.put(p.getKey(), p.getValue().asText()));
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("""
                insert into source_declaration (name, kind, parameters, route, declared_at) values ('noaa-mrms', 'bucket', ?::jsonb,
                'noaa-mrms-poll', now()) on conflict (name) do nothing""")) {
            s.setString(1, new ObjectMapper().writeValueAsString(written));
            s.execute();
        }
    }

    private Job job(String name) {
        return switch (name) {
            case "sluice-landing-ingest" -> container -> {
                container.awaitLog(Pattern.compile("Started landing-ingest"), Duration.ofSeconds(30));
                Path inbox = Files.createDirectories(container.path("/var/lib/sluice/landing/inbox"));
                Path part = inbox.resolve("rain-camelk.csv.part");
                Files.writeString(part, "gauge_id,observed_at,rainfall_in\nCAMELK-1,2025-01-01 00:00,0.25\nCAMELK-1,2025-01-01 01:00,0.5\n");
                Files.move(part, inbox.resolve("rain-camelk.csv"));
                // archived, and then moved to done/
                await(Duration.ofSeconds(60), container, () -> count(
                        "select count(*) from file_ledger where identity = 'rain-camelk.csv' and status = 'archived'") == 1
                        && Files.exists(container.path("/var/lib/sluice/landing/done/rain-camelk.csv")));
                assertEquals(2, count("select count(*) from rain_readings where gauge_id = 'CAMELK-1'"));
                String archive = text("select archive_key from file_ledger where identity = 'rain-camelk.csv'");
                long bytes = storeClient().headObject(b -> b.bucket("sluice").key(archive)).contentLength();
                assertTrue(Files.exists(container.path("/var/lib/sluice/landing/done/rain-camelk.csv")), "the file ends in done/");
                return "rain-camelk.csv dropped into the landing volume: 2 rows in rain_readings, the original archived as "
                        + archive + " (" + bytes + " bytes), the file in done/";
            };
            case "sluice-http-ingest" -> new Job() {
                @Override
                public CamelKIntegration options(CamelKIntegration integration) {
                    return withSources(integration, "camelk-http");
                }

                @Override
                public String check(CamelKContainer container) throws Exception {
                    // the source runs every minute; an HTTP version's ledger row commits with its rows, naming its archive
                    await(Duration.ofSeconds(100), container, () -> count(
                            "select count(*) from file_ledger where source = 'camelk-http' and status = 'loaded' and archive_key is not null") == 1);
                    assertEquals(2, count("select count(*) from rain_readings where gauge_id = 'CAMELK-HTTP'"));
                    String archive = text("select archive_key from file_ledger where source = 'camelk-http'");
                    // which is stored only once they committed
                    await(Duration.ofSeconds(30), container, () -> {
                        try {
                            storeClient().headObject(b -> b.bucket("sluice").key(archive));
                            return true;
                        } catch (NoSuchKeyException notYet) {
                            return false;
                        }
                    });
                    long bytes = storeClient().headObject(b -> b.bucket("sluice").key(archive)).contentLength();
                    return "the HTTP source's current period fetched from its server: 2 rows in rain_readings, archived as "
                            + archive + " (" + bytes + " bytes)";
                }
            };
            case "sluice-outbox-bronze" -> new Job() {
                @Override
                public void seed() throws Exception {
                    migrate();
                    execute("""
                            insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at) values ('stop', 'StopOrderExecuted',
                            'camelk', '{"order_id": "ck-1", "symbol": "ACME", "side": "buy", "quantity": 1, "price": 10.5, "status": "filled",
                            "executed_at": "2025-04-01T14:00:00Z"}', '2025-04-01T14:00:01Z')""");
                }

                @Override
                public String check(CamelKContainer container) throws Exception {
                    await(Duration.ofSeconds(60), container, () -> count(
                            "select count(*) from outbox where client_id = 'camelk' and published_at is not null") == 1);
                    String object = text("select b.object_keys[1] from bronze_batch b join outbox o on o.batch_id = b.id where o.client_id = 'camelk'");
                    long bytes = storeClient().headObject(b -> b.bucket("sluice").key(object)).contentLength();
                    return "the outbox event published to " + object + " (" + bytes + " bytes of Parquet)";
                }
            };
            case "sluice-bronze-silver" -> new Job() {
                private long runsBefore;

                @Override
                public void seed() throws Exception {
                    migrate();
                    runsBefore = count("select count(*) from ingest_run where kind = 'silver'");
                }

                @Override
                public String check(CamelKContainer container) throws Exception {
                    assertEquals(0, container.awaitExit(Duration.ofMinutes(2)), container.log());
                    assertTrue(count("select count(*) from ingest_run where kind = 'silver'") > runsBefore, "the run is recorded");
                    long published = count("select count(*) from outbox where client_id = 'camelk' and published_at is not null");
                    long inSilver = count("select count(*) from silver_event s join outbox o on o.event_id = s.event_id where o.client_id = 'camelk'");
                    assertEquals(published, inSilver, "every published bronze event is in silver");
                    return "one run, exit 0, recorded in ingest_run; " + inSilver + " published outbox event(s) in silver";
                }
            };
            case "sluice-retention-purge" -> new Job() {
                private final String key = "noaa-mrms/2020/01/01/00/camelk-expired.grib2.gz";

                @Override
                public void seed() throws Exception {
                    migrate();
                    createBucket(storeClient(), "sluice");
                    storeClient().putObject(b -> b.bucket("sluice").key(key), RequestBody.fromString("expired"));
                    // noaa-mrms (its route file says retention: 1d) keeps its objects one day
                    declaredByItsIntegration();
                    execute("insert into catalog (source, storage_key, bytes, reference_time, ingested_at, origin) values "
                            + "('noaa-mrms', '" + key + "', 7, '2020-01-01T00:00:00Z', now() - interval '2 days', 'poll')");
                }

                @Override
                public String check(CamelKContainer container) throws Exception {
                    int exit = container.awaitExit(Duration.ofMinutes(2));
                    assertEquals(0, exit, container.log());
                    assertThrows(NoSuchKeyException.class, () -> storeClient().headObject(b -> b.bucket("sluice").key(key)));
                    assertEquals(0, count("select count(*) from catalog where storage_key = '" + key + "'"));
                    assertEquals(1, count("select count(*) from ingest_run where kind = 'purge' and source = 'noaa-mrms' and outcome = 'purged'"));
                    return "one run from " + CamelKContainer.CRON_JOB_FROM + ", exit " + exit
                            + ": the expired " + key + " and its catalog row purged, the run recorded";
                }
            };
            // the JSON binding (camel.rest.*) and the API's error answers (ApiRouteConfiguration) come from the processors jar
            case "sluice-catalog-api" -> container -> answers(container, "/catalog", "\"total\"") + "; "
                    + refuses(container, "/catalog/987654321", 404, "\"status\":404");
            // noaa-mrms: declared by its own integration's route (source_declaration)
            case "sluice-sources-api" -> new Job() {
                @Override
                public void seed() throws Exception {
                    declaredByItsIntegration();
                }

                @Override
                public String check(CamelKContainer container) throws Exception {
                    return answers(container, "/sources", "noaa-mrms");
                }
            };
            case "sluice-status-api" -> container -> answers(container, "/runs", "\"total\"");
            case "sluice-datasets-api" -> container -> answers(container, "/datasets", "rain-gauge-readings");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The HTTP ingest with the test's HTTP source: declared in ConfigMap sluice-sources, enabled alone. */
    private static CamelKIntegration withSources(CamelKIntegration integration, String source) {
        return integration.with("mount", "resources", "configmap:sluice-sources@/etc/sluice/sources")
                .with("environment", "vars", "SLUICE_SOURCES_DIR=/etc/sluice/sources")
                .with("environment", "vars", "SLUICE_SOURCES_ENABLED=" + source);
    }

    private static String answers(CamelKContainer container, String path, String expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(container.url() + path)).GET();
        assertEquals(401, HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "no credentials, no answer");
        String credentials = java.util.Base64.getEncoder().encodeToString((CONSOLE_USER + ":" + CONSOLE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(request.header("Authorization", "Basic " + credentials).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body() + "\n" + container.log());
        assertTrue(response.body().contains(expected), response.body());
        return "GET " + path + " without credentials → 401, with the Secret's console credentials → 200 (" + response.body().length()
                + " bytes of JSON)";
    }

    private static String refuses(CamelKContainer container, String path, int status, String expected) throws Exception {
        String credentials = java.util.Base64.getEncoder().encodeToString((CONSOLE_USER + ":" + CONSOLE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(container.url() + path)).GET()
                .header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), response.body() + "\n" + container.log());
        assertTrue(response.body().contains(expected), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), response.headers().toString());
        return "GET " + path + " → " + status + " " + response.body();
    }

    private static void await(Duration timeout, CamelKContainer container, Callable<Boolean> done) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.call()) {
            if (Instant.now().isAfter(deadline) || !container.isRunning()) {
                throw new AssertionError("not done within " + timeout + (container.isRunning() ? "" : " (the integration exited)")
                        + ":\n" + container.log());
            }
            Thread.sleep(500);
        }
    }

    /** The schema as the integrations' Flyway makes it, to seed rows before an integration starts. */
    private static void migrate() {
        Flyway.configure().dataSource(postgres.jdbcUrl(), postgres.username(), postgres.password())
                .locations("filesystem:src/main/resources/db/migration").load().migrate();
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }

    private static long count(String sql) throws Exception {
        try (Connection c = connect(); ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (java.sql.SQLException noSchemaYet) {
            if ("42P01".equals(noSchemaYet.getSQLState())) {
                return -1;
            }
            throw noSchemaYet;
        }
    }

    private static String text(String sql) throws Exception {
        try (Connection c = connect(); ResultSet r = c.createStatement().executeQuery(sql)) {
            assertTrue(r.next(), sql);
            return r.getString(1);
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.execute();
        }
    }

    /** Our bucket's store, as the integrations reach it. */
    private static S3Client storeClient() {
        if (storeClient == null) {
            storeClient = s3(store.endpoint(), StaticCredentialsProvider.create(AwsBasicCredentials.create(store.accessKey(), store.secretKey())));
        }
        return storeClient;
    }

    private static S3Client s3(URI endpoint, AwsCredentialsProvider credentials) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials).build();
    }

    private static void createBucket(S3Client s3, String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception alreadyThere) {
            // BucketAlreadyOwnedByYou
        }
    }

    private static String seconds(Duration duration) {
        return "%.1f s".formatted(duration.toMillis() / 1000.0);
    }
}
