package dev.sluice.http;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fetch step against a real local HTTP server (WireMock) that answers, refuses and breaks. The
 * route's error handler redelivers a retryable failure; here the test calls again, as it does.
 */
class HttpFetcherTest {

    private WireMockServer server;
    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private URI uri(String path) {
        return URI.create(server.baseUrl() + path);
    }

    @Test
    void anUnchangedFileShouldCostOneRequestAndNoBody() throws Exception {
        byte[] body = "gauge_id,observed_at,rainfall_in\n1000,2024-01-01 00:00,0.1\n".getBytes();
        server.stubFor(get(urlEqualTo("/rain/2024.csv")).atPriority(2)
                .willReturn(aResponse().withStatus(200).withHeader("ETag", "\"v1\"").withHeader("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT").withBody(body)));
        server.stubFor(get(urlEqualTo("/rain/2024.csv")).atPriority(1).withHeader("If-None-Match", WireMock.equalTo("\"v1\""))
                .willReturn(aResponse().withStatus(304)));
        HttpFetcher fetcher = new HttpFetcher(new HostRateLimiter(0), Duration.ofSeconds(5));

        FetchResult first = fetcher.fetch(uri("/rain/2024.csv"), null, null, Map.of(), dir.resolve("a"));
        assertEquals(FetchResult.Outcome.FETCHED, first.outcome());
        assertArrayEquals(body, Files.readAllBytes(first.file()));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)), first.sha256());
        assertEquals("\"v1\"", first.etag());

        FetchResult second = fetcher.fetch(uri("/rain/2024.csv"), first.etag(), first.lastModified(), Map.of(), dir.resolve("b"));
        assertEquals(FetchResult.Outcome.NOT_MODIFIED, second.outcome());
        assertNull(second.file());
        assertTrue(Files.notExists(dir.resolve("b")));
        assertEquals(2, server.getAllServeEvents().size());
    }

    @Test
    void aPeriodThatDoesNotExistYetShouldBeNotAvailableWithoutRetries() throws Exception {
        server.stubFor(get(urlEqualTo("/rain/2031.xlsx")).willReturn(aResponse().withStatus(404)));
        FetchResult result = new HttpFetcher(new HostRateLimiter(0), Duration.ofSeconds(5))
                .fetch(uri("/rain/2031.xlsx"), null, null, Map.of(), dir.resolve("x"));
        assertEquals(FetchResult.Outcome.NOT_AVAILABLE, result.outcome());
        assertEquals(1, server.getAllServeEvents().size());
    }

    @Test
    void faultsShouldBeRetryableWithinTheRateLimitAndRetryAfterHonoured() throws Exception {
        String url = "/rain/2023.csv";
        String[] states = {"Started", "s1", "s2", "s3", "s4"};
        List<com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder> answers = List.of(
                aResponse().withStatus(500),
                aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                aResponse().withStatus(200).withBody("late").withFixedDelay(1500),
                aResponse().withStatus(200).withBody("gauge data"));
        for (int i = 0; i < answers.size(); i++) {
            server.stubFor(get(urlEqualTo(url)).inScenario("faults").whenScenarioStateIs(states[i])
                    .willSetStateTo(i + 1 < states.length ? states[i + 1] : "done").willReturn(answers.get(i)));
        }
        HttpFetcher fetcher = new HttpFetcher(new HostRateLimiter(200), Duration.ofMillis(800));

        // as the route's redelivery does: the same fetch again while it fails retryably
        List<String> failures = new ArrayList<>();
        FetchResult result = null;
        for (int attempt = 1; attempt <= 6 && result == null; attempt++) {
            try {
                result = fetcher.fetch(uri(url), null, null, Map.of("Authorization", "Bearer from-a-secret"), dir.resolve("y"));
            } catch (RetryableFetchException retryable) {
                failures.add(retryable.getMessage());
            }
        }

        assertEquals(FetchResult.Outcome.FETCHED, result.outcome(), String.valueOf(failures));
        assertEquals("gauge data", Files.readString(result.file()));
        assertEquals(List.of("HTTP 500", "HTTP 429"), failures.subList(0, 2));
        assertTrue(failures.get(3).startsWith("timed out"), failures.get(3));
        List<Long> times = requestTimes();
        assertEquals(5, times.size());
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 1) >= 200, "requests " + (i - 1) + " and " + i + " were " + (times.get(i) - times.get(i - 1)) + " ms apart");
        }
        assertTrue(times.get(2) - times.get(1) >= 990, "Retry-After: 1 was honoured: " + (times.get(2) - times.get(1)) + " ms");
        assertTrue(server.getAllServeEvents().stream().allMatch(e -> "Bearer from-a-secret".equals(e.getRequest().getHeader("Authorization"))));
    }

    @Test
    void aRefusalShouldFailAtOnceWithoutARetry() throws Exception {
        server.stubFor(get(urlEqualTo("/rain/secret.csv")).willReturn(aResponse().withStatus(403)));
        FetchResult result = new HttpFetcher(new HostRateLimiter(0), Duration.ofSeconds(5))
                .fetch(uri("/rain/secret.csv"), null, null, Map.of(), dir.resolve("z"));
        assertEquals(FetchResult.Outcome.FAILED, result.outcome());
        assertEquals("HTTP 403", result.error());
        assertEquals(1, server.getAllServeEvents().size());
    }

    @Test
    void theRateLimitShouldHoldAcrossConcurrentCallers() throws Exception {
        server.stubFor(get(WireMock.urlMatching("/meta/.*")).willReturn(aResponse().withStatus(200).withBody("{}")));
        HttpFetcher fetcher = new HttpFetcher(new HostRateLimiter(300), Duration.ofSeconds(5));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<FetchResult>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int gauge = i;
            results.add(pool.submit(() -> fetcher.fetch(uri("/meta/" + gauge + ".json"), null, null, Map.of(), dir.resolve("m" + gauge))));
        }
        for (Future<FetchResult> r : results) {
            assertEquals(FetchResult.Outcome.FETCHED, r.get().outcome());
        }
        pool.shutdown();
        List<Long> times = requestTimes();
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 1) >= 300, "gap " + (times.get(i) - times.get(i - 1)) + " ms");
        }
    }

    /** Request arrival times in ms, oldest first. */
    private List<Long> requestTimes() {
        return server.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .map(r -> r.getLoggedDate().getTime()).sorted().toList();
    }

    @Test
    void credentialsShouldFollowARedirectOnlyToTheSameOrigin() throws Exception {
        // as the Kaggle API: the authenticated URL redirects to a signed storage URL on another host
        // ("localhost" and "127.0.0.1" are one server, but two origins)
        String storage = "http://127.0.0.1:" + server.port() + "/storage/acme.zip?signature=abc";
        server.stubFor(get(urlEqualTo("/api/download/acme")).willReturn(aResponse().withStatus(302).withHeader("Location", "/api/files/acme")));
        server.stubFor(get(urlEqualTo("/api/files/acme")).willReturn(aResponse().withStatus(302).withHeader("Location", storage)));
        server.stubFor(get(urlEqualTo("/storage/acme.zip?signature=abc"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Disposition", "attachment; filename=\"acme.zip\"").withBody("PK")));
        HttpFetcher fetcher = new HttpFetcher(new HostRateLimiter(0), Duration.ofSeconds(5));

        FetchResult result = fetcher.fetch(URI.create("http://localhost:" + server.port() + "/api/download/acme"), null, null,
                HttpAuth.basic("ada", "k3y").headers(), dir.resolve("z"));

        assertEquals(FetchResult.Outcome.FETCHED, result.outcome());
        assertEquals("acme.zip", result.fileName());
        server.verify(1, WireMock.getRequestedFor(urlEqualTo("/api/files/acme")).withHeader("Authorization", WireMock.matching("Basic .+")));
        server.verify(1, WireMock.getRequestedFor(urlEqualTo("/storage/acme.zip?signature=abc")).withoutHeader("Authorization"));
    }
}
