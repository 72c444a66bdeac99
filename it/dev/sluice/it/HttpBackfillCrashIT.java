package dev.sluice.it;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sluice.it.Api.count;
import static dev.sluice.it.Api.field;
import static dev.sluice.it.Api.get;
import static dev.sluice.it.Api.post;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A 15-water-year backfill of an HTTP source, killed part-way with SIGKILL: after restart every year is loaded exactly once. */
class HttpBackfillCrashIT {

    @Test
    void aKilledWaterYearBackfillShouldResumeAndLoadEveryYearOnce() throws Exception {
        Path base = Files.createTempDirectory("sluice-http-backfill-");
        WireMockServer district = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        district.start();
        try {
            for (int year = 2010; year <= 2024; year++) {
                district.stubFor(WireMock.get(WireMock.urlEqualTo("/rain/wy" + year + ".csv")).willReturn(WireMock.aResponse()
                        .withStatus(200).withHeader("ETag", "\"wy" + year + "\"")
                        .withBody("gauge_id,observed_at,rainfall_in\nCRASH-1," + (year - 1) + "-10-01 00:00,0.5\nCRASH-1," + year + "-01-01 00:00,0.7\n")));
                district.stubFor(WireMock.get(WireMock.urlEqualTo("/rain/wy" + year + ".csv")).atPriority(1)
                        .withHeader("If-None-Match", WireMock.equalTo("\"wy" + year + "\"")).willReturn(WireMock.aResponse().withStatus(304)));
            }
            Path sources = Files.createDirectories(base.resolve("sources"));
            Files.writeString(sources.resolve("crash-rain.yaml"), """
                    type: http
                    name: crash-rain
                    url: "https://district.example/rain/wy{water_year}.csv"
                    period: water_year
                    dataset: rain-gauge-readings
                    rateLimit: 400ms
                    timeout: 5s
                    """);
            Map<String, String> env = Map.of("SLUICE_SOURCES_DIR", sources.toString(), "SLUICE_SOURCES_ENABLED", "none",
                    "SLUICE_HTTP_SOURCES_BASE_URL", district.baseUrl());
            Path data = base.resolve("data");
            long id;
            AtomicInteger doneAtKill = new AtomicInteger();
            try (SluiceProcess sluice = SluiceProcess.start(data, env)) {
                sluice.awaitStarted(Duration.ofSeconds(90));
                String created = post(sluice.url() + "/sources/crash-rain/backfills", "{\"from\": 2010, \"to\": 2024}");
                id = Long.parseLong(field(created, "id"));
                String url = sluice.url() + "/sources/crash-rain/backfills/" + id;
                await().atMost(60, TimeUnit.SECONDS).pollInterval(20, TimeUnit.MILLISECONDS).until(() -> {
                    doneAtKill.set(Integer.parseInt(field(get(url), "periodsDone")));
                    return doneAtKill.get() >= 3;
                });
                sluice.kill();
            }
            assertTrue(doneAtKill.get() < 15, "killed part-way");
            try (SluiceProcess again = SluiceProcess.start(data, env)) {
                String jdbc = again.awaitStarted(Duration.ofSeconds(90));
                String url = again.url() + "/sources/crash-rain/backfills/" + id;
                await().atMost(120, TimeUnit.SECONDS).pollInterval(500, TimeUnit.MILLISECONDS).until(() -> "done".equals(field(get(url), "status")));
                assertTrue(again.log().contains("resuming backfill " + id));
                assertEquals("15", field(get(url), "periodsDone"));
                assertEquals(30, count(jdbc, "select count(*) from rain_readings where gauge_id = 'CRASH-1'"));
                assertEquals(15, count(jdbc, "select count(*) from ingest_run where source = 'crash-rain' and outcome = 'loaded'"),
                        "each year loaded exactly once");
                assertEquals(15, count(jdbc, "select count(*) from file_ledger where source = 'crash-rain'"));
                assertEquals(15, count(jdbc, "select count(*) from http_resource where source = 'crash-rain' and status in ('fetched', 'not_modified')"));
            }
        } finally {
            district.stop();
            TempDirs.delete(base);
        }
    }
}
