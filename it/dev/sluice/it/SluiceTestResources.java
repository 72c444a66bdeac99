package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import dev.sluice.embedded.EmbeddedS3Server;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real parts Sluice runs against in tests: an embedded PostgreSQL, an s3proxy S3 endpoint, a
 * landing directory, a copy of routes/ (so a test may edit route files without touching the repo),
 * and a webhook for the pipelines' events (POST /events on the shared WireMock; {@link Events} reads them).
 */
public class SluiceTestResources implements QuarkusTestResourceLifecycleManager {

    static final String CONSOLE_USER = "operator";
    static final String CONSOLE_PASSWORD = "test-console-" + Long.toHexString(System.nanoTime());
    static final String READER_USER = "watcher";
    static final String READER_PASSWORD = "test-reader-" + Long.toHexString(System.nanoTime());

    private Path base;
    private EmbeddedPostgresServer postgres;
    private EmbeddedS3Server s3;
    private EmbeddedS3Server upstreamS3;
    /** The upstream as the app sees it: WireMock proxying to an anonymous s3proxy, counting and faulting requests. */
    static WireMockServer upstream;
    /** The upstream s3proxy itself, for seeding objects without touching WireMock's journal. */
    static java.net.URI upstreamDirect;

    @Override
    public Map<String, String> start() {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        try {
            base = Files.createTempDirectory("sluice-it-");
            postgres = EmbeddedPostgresServer.start(base.resolve("postgres"));
            s3 = EmbeddedS3Server.start(base.resolve("s3"));
            // the repository's route files but its shipped sources: the tests add their own (TestSources)
            Path routes = BucketSourceFiles.copyRoutes(base.resolve("routes"));
            // the purge route runs, but never on its own during the suite (it would purge other tests' data):
            // tests purge when they want to
            Path purge = routes.resolve("retention-purge.camel.yaml");
            Files.writeString(purge, Files.readString(purge).replace("schedule: \"0 */6 * * ?\"", "schedule: \"0 0 0 1 1 ? 2099\""));
            Path silver = routes.resolve("bronze-silver.camel.yaml");
            Files.writeString(silver, Files.readString(silver).replace("schedule: \"*/5 * * * ?\"", "schedule: \"0 0 0 1 1 ? 2099\""));
            Path bronze = routes.resolve("outbox-bronze.camel.yaml");
            Files.writeString(bronze, Files.readString(bronze).replace("period: \"2000\"", "period: \"86400000\"")
                    .replace("delay: \"2000\"", "delay: \"86400000\""));
            // a dataset with retention (raw archives 30 days, rows 100 years: nothing other tests load is that old)
            Path datasets = Files.createDirectories(base.resolve("datasets"));
            Files.writeString(datasets.resolve("old-rain.yaml"), """
                    datasets:
                      - name: old-rain
                        files: ["oldrain*.csv"]
                        table: rain_readings
                        naturalKey: [gauge_id, observed_at]
                        retention: {raw: 30d, rows: 36500d, rowsBy: observed_at}
                        columns:
                          - {name: gauge_id, type: text}
                          - {name: observed_at, type: timestamp, format: iso}
                          - {name: rainfall_in, type: decimal, precision: 8, scale: 3}
                    """);
            upstreamS3 = EmbeddedS3Server.start(base.resolve("upstream"), false);
            upstreamDirect = upstreamS3.endpoint();
            upstream = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
            upstream.start();
            upstream.stubFor(WireMock.any(WireMock.anyUrl()).atPriority(10)
                    .willReturn(WireMock.aResponse().proxiedFrom(upstreamDirect.toString())));
            // every pipeline's events, as a webhook would receive them: 202 unless a test stubs otherwise
            upstream.stubFor(WireMock.post(WireMock.urlEqualTo(Events.PATH)).atPriority(5)
                    .willReturn(WireMock.aResponse().withStatus(202)));
            Path sources = Files.createDirectories(base.resolve("sources"));
            TestSources.write(sources, routes);
            Map<String, String> config = new HashMap<>();
            config.put("sluice.sources.dir", sources.toString());
            config.put("sluice.sources.endpoint", upstream.baseUrl());
            // the same WireMock plays the flood-control district's web server under /district/
            config.put("sluice.http-sources.base-url", upstream.baseUrl());
            // nothing is scheduled in tests: each test polls when it wants to
            config.put("sluice.sources.enabled", "none");
            config.put("sluice.transfer.backoff-ms", "50");
            config.put("sluice.events.uri", upstream.baseUrl() + Events.PATH);
            config.put("sluice.events.backoff-ms", "50");
            config.put("SLUICE_DB_URL", postgres.jdbcUrl());
            config.put("SLUICE_DB_USER", postgres.username());
            config.put("SLUICE_DB_PASSWORD", postgres.password());
            config.put("SLUICE_S3_ENDPOINT", s3.endpoint().toString());
            config.put("SLUICE_S3_ACCESS_KEY", s3.accessKey());
            config.put("SLUICE_S3_SECRET_KEY", s3.secretKey());
            config.put("SLUICE_DATA_DIR", base.toString());
            config.put("sluice.routes.dir", routes.toString());
            config.put("SLUICE_JOLOKIA_PORT", String.valueOf(dev.sluice.embedded.FreePort.find()));
            config.put("SLUICE_CONSOLE_USER", CONSOLE_USER);
            config.put("SLUICE_CONSOLE_PASSWORD", CONSOLE_PASSWORD);
            config.put("SLUICE_READER_USER", READER_USER);
            config.put("SLUICE_READER_PASSWORD", READER_PASSWORD);
            config.put("sluice.landing.stable-for-ms", "500");
            config.put("sluice.landing.poll-ms", "200");
            // a file failing every time is retried 1, 2, 4, 8 s apart by default: a quarter of that here
            config.put("sluice.landing.retry-delay-ms", "250");
            config.put("sluice.ingest.max-bad-records", "50");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (upstream != null) {
            upstream.stop();
        }
        if (upstreamS3 != null) {
            upstreamS3.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        TempDirs.delete(base);
    }
}
