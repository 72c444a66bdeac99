package dev.sluice.it;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An HTTP source against WireMock playing the district's server: fetch, 304, correction, 404. */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class HttpSourceTest {

    @Inject
    Landing landing;
    @Inject
    org.apache.camel.CamelContext camel;

    @Test
    void aYearlyFileShouldBeLoadedThenSkippedWhenUnchangedAndUpdatedWhenCorrected() throws Exception {
        String v1 = "gauge_id,observed_at,rainfall_in\nHTTP-1,2023-10-01 06:00,0.10\nHTTP-1,2023-10-01 06:15,0.20\n";
        String path = "/district/rain/wy2024.csv";
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"v1\"").withBody(v1)));
        var notModified = SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1)
                .withHeader("If-None-Match", WireMock.equalTo("\"v1\"")).willReturn(WireMock.aResponse().withStatus(304)));

        RestAssured.given().post("/sources/test-rain-csv/runs?period=2024").then().statusCode(200)
                .body("status", equalTo("fetched")).body("rowsLoaded", equalTo(2));
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'HTTP-1'"));
        assertArrayEquals(v1.getBytes(StandardCharsets.UTF_8), landing.object("raw/http/test-rain-csv/2024/wy2024.csv"));

        // unchanged: a 304, nothing parsed, recorded as not modified
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2024").then().statusCode(200).body("status", equalTo("not_modified"));
        assertEquals("not_modified", landing.rows("select status from http_resource where source = 'test-rain-csv' and period = '2024'").get(0).get("status"));
        assertEquals(1, landing.count("select count(*) from ingest_run where source = 'test-rain-csv' and outcome = 'not_modified'"));

        // a correction with a new ETag: rows updated, never duplicated
        String v2 = "gauge_id,observed_at,rainfall_in\nHTTP-1,2023-10-01 06:00,0.10\nHTTP-1,2023-10-01 06:15,0.25\nHTTP-1,2023-10-01 06:30,0.05\n";
        SluiceTestResources.upstream.removeStub(notModified);
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"v2\"").withBody(v2)));
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2024").then().statusCode(200).body("status", equalTo("fetched"));
        List<Map<String, Object>> rows = landing.rows("select rainfall_in from rain_readings where gauge_id = 'HTTP-1' order by observed_at");
        assertEquals(List.of(new BigDecimal("0.100"), new BigDecimal("0.250"), new BigDecimal("0.050")), rows.stream().map(r -> r.get("rainfall_in")).toList());
        assertEquals("\"v2\"", landing.rows("select etag from http_resource where source = 'test-rain-csv' and period = '2024'").get(0).get("etag"));

        // lineage: a changed row traces to the download that changed it, an unchanged one to the first (source, sha256)
        String lineage = """
                select l.source || ' ' || l.content_hash from rain_readings r join ingest_run i on i.id = r.ingest_run_id
                join file_ledger l on l.id = i.ledger_id where r.gauge_id = 'HTTP-1' and r.observed_at = ?::timestamptz""";
        var sha256 = java.util.HexFormat.of();
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        assertEquals("test-rain-csv " + sha256.formatHex(digest.digest(v2.getBytes(StandardCharsets.UTF_8))),
                landing.rows(lineage, "2023-10-01 06:15-07").get(0).values().iterator().next());
        assertEquals("test-rain-csv " + sha256.formatHex(digest.digest(v1.getBytes(StandardCharsets.UTF_8))),
                landing.rows(lineage, "2023-10-01 06:00-07").get(0).values().iterator().next());
    }

    @Test
    void aBackfillOfWaterYearsShouldGoOnPastFailuresAndCoverageShouldTellEveryPeriodApart() throws Exception {
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2015.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody("gauge_id,observed_at,rainfall_in\nBF-1,2014-10-01 00:00,0.3\n")));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2016.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(404)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2017.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(500)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2018.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody("gauge_id,observed_at,rainfall_in\nBF-1,2017-10-01 00:00,0.4\n")));

        int id = RestAssured.given().contentType("application/json").body("{\"from\": 2015, \"to\": 2018, \"continueOnFailure\": true}")
                .post("/sources/test-rain-csv/backfills").then().statusCode(201).body("periodsTotal", equalTo(4)).extract().path("id");
        org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .until(() -> RestAssured.given().get("/sources/test-rain-csv/backfills/" + id).then().extract().path("status").toString().startsWith("done"));
        RestAssured.given().get("/sources/test-rain-csv/backfills/" + id).then()
                .body("status", equalTo("done-with-failures")).body("periodsDone", equalTo(3)).body("periodsFailed", equalTo(1));
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'BF-1'"));

        RestAssured.given().get("/sources/test-rain-csv/coverage?from=2015").then().statusCode(200)
                .body("complete", org.hamcrest.Matchers.hasItems("2015", "2018"))
                .body("not_available", org.hamcrest.Matchers.hasItem("2016"))
                .body("failed", equalTo(List.of("2017")))
                .body("missing", org.hamcrest.Matchers.hasItems("2019", "2020"));
    }

    @Test
    void fifteenYearsBehindAFaultyServerShouldAllArriveWithinTheRateLimit() throws Exception {
        // the first request or two for some years' files fail (500, 429 with Retry-After, a reset, a
        // body slower than the timeout): 8 of 23 requests, about 35 %, none retried past its limit
        com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder[] faults = {
                WireMock.aResponse().withStatus(500),
                WireMock.aResponse().withStatus(429).withHeader("Retry-After", "1"),
                WireMock.aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER),
                WireMock.aResponse().withStatus(200).withBody("late").withFixedDelay(3000)};
        for (int year = 1995; year < 2010; year++) {
            String path = "/district/rain/wy" + year + ".csv";
            String body = "gauge_id,observed_at,rainfall_in\nFAULT-1," + (year - 1) + "-10-01 00:00,0." + (year % 10) + "\n";
            int failures = (year % 3 == 0 ? 1 : 0) + (year % 5 == 0 ? 1 : 0);
            String state = "Started";
            for (int f = 0; f < failures; f++) {
                SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1).inScenario("y" + year)
                        .whenScenarioStateIs(state).willSetStateTo("f" + (f + 1)).willReturn(faults[year % faults.length]));
                state = "f" + (f + 1);
            }
            SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2)
                    .willReturn(WireMock.aResponse().withStatus(200).withBody(body)));
        }
        long before = System.currentTimeMillis();
        int id = RestAssured.given().contentType("application/json").body("{\"from\": 1995, \"to\": 2009}")
                .post("/sources/test-rain-csv/backfills").then().statusCode(201).extract().path("id");
        org.awaitility.Awaitility.await().atMost(120, java.util.concurrent.TimeUnit.SECONDS).pollDelay(500, java.util.concurrent.TimeUnit.MILLISECONDS)
                .until(() -> RestAssured.given().get("/sources/test-rain-csv/backfills/" + id).then().extract().path("status").toString().startsWith("done"));

        RestAssured.given().get("/sources/test-rain-csv/backfills/" + id).then().body("status", equalTo("done")).body("periodsDone", equalTo(15));
        assertEquals(15, landing.count("select count(*) from rain_readings where gauge_id = 'FAULT-1'"));
        List<Long> times = SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/district/"))
                .map(e -> e.getRequest().getLoggedDate().getTime()).filter(t -> t >= before).sorted().toList();
        assertEquals(15 + 8, times.size(), "one request per year plus one per injected fault");
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 1) >= 100, "requests " + (times.get(i) - times.get(i - 1)) + " ms apart, limit 100 ms");
        }
    }

    @Test
    void faultsShouldBeRedeliveredWithinTheRateLimitAndRetryAfterHonoured() throws Exception {
        // the route's error handler makes the fetch step again: each time within the host's rate limit
        String path = "/district/rain/wy2033.csv";
        String[] states = {"Started", "r1", "r2", "r3"};
        com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder[] answers = {
                WireMock.aResponse().withStatus(500),
                WireMock.aResponse().withStatus(429).withHeader("Retry-After", "1"),
                WireMock.aResponse().withStatus(200).withBody("late").withFixedDelay(3000),
                WireMock.aResponse().withStatus(200).withBody("gauge_id,observed_at,rainfall_in\nRETRY-1,2032-10-01 00:00,0.4\n")};
        for (int i = 0; i < answers.length; i++) {
            SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1).inScenario("retries")
                    .whenScenarioStateIs(states[i]).willSetStateTo(i + 1 < states.length ? states[i + 1] : "done").willReturn(answers[i]));
        }
        long before = System.currentTimeMillis();
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2033").then().statusCode(200)
                .body("status", equalTo("fetched")).body("requests", equalTo(4)).body("rowsLoaded", equalTo(1));
        List<Long> times = SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(path))
                .map(e -> e.getRequest().getLoggedDate().getTime()).filter(t -> t >= before).sorted().toList();
        assertEquals(4, times.size(), "four requests: three faults, then the file");
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) - times.get(i - 1) >= 100, "requests " + (times.get(i) - times.get(i - 1)) + " ms apart, limit 100 ms");
        }
        assertTrue(times.get(2) - times.get(1) >= 990, "Retry-After: 1 was honoured: " + (times.get(2) - times.get(1)) + " ms");
        assertEquals(4, ((Number) landing.rows("select attempts from http_resource where source = 'test-rain-csv' and period = '2033'")
                .get(0).get("attempts")).intValue());
    }

    @Test
    void eachPeriodShouldBeToldOnceAsAnEventOfWhatItCameTo() throws Exception {
        EventRecorder events = new EventRecorder();
        io.quarkus.test.junit.QuarkusMock.installMockForType(events, dev.sluice.events.PipelineEvents.class);
        String path = "/district/rain/wy2034.csv";
        String v1 = "gauge_id,observed_at,rainfall_in\nEVT-1,2033-10-01 00:00,0.10\nEVT-1,2033-10-01 00:15,0.20\n";
        // a 500 first: the fetch is made again, the period is still told once
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2).inScenario("events")
                .whenScenarioStateIs("Started").willSetStateTo("up").willReturn(WireMock.aResponse().withStatus(500)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2).inScenario("events")
                .whenScenarioStateIs("up").willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"e1\"").withBody(v1)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1)
                .withHeader("If-None-Match", WireMock.equalTo("\"e1\"")).willReturn(WireMock.aResponse().withStatus(304)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2035.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(404)));

        RestAssured.given().post("/sources/test-rain-csv/runs?period=2034").then().statusCode(200).body("status", equalTo("fetched"));
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2034").then().statusCode(200).body("status", equalTo("not_modified"));
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2035").then().statusCode(200).body("status", equalTo("not_available"));

        assertEquals(List.of("period.fetched", "period.unchanged", "period.not-available"), events.told.stream().map(Map.Entry::getKey).toList());
        Map<String, Object> fetched = events.told.get(0).getValue();
        assertEquals("test-rain-csv", fetched.get("source"));
        assertTrue(String.valueOf(fetched.get("subject")).endsWith(path), String.valueOf(fetched.get("subject")));
        assertEquals("rain-gauge-readings", fetched.get("dataset"));
        assertEquals(2L, ((Number) fetched.get("rows")).longValue());
        assertEquals((long) v1.length(), ((Number) fetched.get("bytes")).longValue());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(v1.getBytes(StandardCharsets.UTF_8))), fetched.get("version"));
        assertEquals(1, landing.count("select count(*) from ingest_run where id = ? and source = 'test-rain-csv' and outcome = 'loaded'",
                ((Number) fetched.get("runId")).longValue()));
        assertEquals("\"e1\"", events.told.get(1).getValue().get("version"));
        assertEquals("not_available", events.told.get(2).getValue().get("outcome"));
        assertTrue(String.valueOf(events.told.get(2).getValue().get("subject")).endsWith("/district/rain/wy2035.csv"));
    }

    @Test
    void withoutTheHttpPeriodRouteARunShouldTakeTheSameStepsInJava() throws Exception {
        // as where routes/sources-api.camel.yaml is deployed alone: no direct:http-period to send to
        EventRecorder events = new EventRecorder();
        io.quarkus.test.junit.QuarkusMock.installMockForType(events, dev.sluice.events.PipelineEvents.class);
        String path = "/district/rain/wy2036.csv";
        String v1 = "gauge_id,observed_at,rainfall_in\nALONE-1,2035-10-01 00:00,0.10\nALONE-1,2035-10-01 00:15,0.20\n";
        // a 500 first: the fetch is made again, as the route's error handler would
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2).inScenario("alone")
                .whenScenarioStateIs("Started").willSetStateTo("up").willReturn(WireMock.aResponse().withStatus(500)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(2).inScenario("alone")
                .whenScenarioStateIs("up").willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"a1\"").withBody(v1)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo(path)).atPriority(1)
                .withHeader("If-None-Match", WireMock.equalTo("\"a1\"")).willReturn(WireMock.aResponse().withStatus(304)));
        camel.getRouteController().stopRoute("http-period");
        try {
            RestAssured.given().post("/sources/test-rain-csv/runs?period=2036").then().statusCode(200)
                    .body("status", equalTo("fetched")).body("rowsLoaded", equalTo(2)).body("requests", equalTo(2));
            RestAssured.given().post("/sources/test-rain-csv/runs?period=2036").then().statusCode(200)
                    .body("status", equalTo("not_modified")).body("requests", equalTo(1));
        } finally {
            camel.getRouteController().startRoute("http-period");
        }
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'ALONE-1'"));
        assertArrayEquals(v1.getBytes(StandardCharsets.UTF_8), landing.object("raw/http/test-rain-csv/2036/wy2036.csv"));
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(v1.getBytes(StandardCharsets.UTF_8))),
                landing.objectMetadata("raw/http/test-rain-csv/2036/wy2036.csv").get("sluice-sha256"));
        assertEquals("\"a1\"", landing.rows("select etag from http_resource where source = 'test-rain-csv' and period = '2036'").get(0).get("etag"));
        assertEquals(List.of("period.fetched", "period.unchanged"), events.told.stream().map(Map.Entry::getKey).toList());
        assertEquals(2L, ((Number) events.told.get(0).getValue().get("rows")).longValue());
    }

    /** The events a pipeline tells, kept instead of sent. */
    @jakarta.enterprise.inject.Vetoed
    static class EventRecorder extends dev.sluice.events.PipelineEvents {
        final List<Map.Entry<String, Map<String, Object>>> told = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public void send(String type, Map<String, Object> data) {
            told.add(Map.entry(type, data));
        }
    }

    @Test
    void theDatasetIndexShouldBeUpsertedIntoTheDatasetsTable() throws Exception {
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/datasets/index.json")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody("""
                        [
                          {"name": "idx-gfs", "description": "GFS", "source_url": "s3://noaa-gfs-bdp-pds", "format": "grib2",
                           "updated_at": "2026-11-01T00:00:00Z"},
                          {"name": "idx-rain", "description": "Rain gauges", "license": "CC-BY"},
                          {"name": ["not", "a", "name"]}
                        ]""")));
        RestAssured.given().post("/sources/test-index/runs").then().statusCode(200)
                .body("period", equalTo("latest")).body("status", equalTo("fetched")).body("rowsLoaded", equalTo(2));
        assertEquals("CC-BY", landing.rows("select license from datasets where name = 'idx-rain'").get(0).get("license"));
        assertEquals(1, landing.count("select count(*) from dead_letter where source = 'test-index' and record_number = 3"));
    }

    @Test
    void gaugeMetadataShouldBeFetchedOncePerGaugeUntilItIsStale() throws Exception {
        landing.rows("insert into rain_readings (gauge_id, observed_at, rainfall_in) values ('GM-1', now(), 0.1), ('GM-2', now(), 0.2) returning 1");
        for (String gauge : List.of("GM-1", "GM-2")) {
            SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/gauges/gauge-" + gauge + ".json")).atPriority(1)
                    .willReturn(WireMock.aResponse().withStatus(200).withBody("{\"gauge_id\": \"" + gauge
                            + "\", \"name\": \"Gauge " + gauge + "\", \"latitude\": 33.4484, \"longitude\": -112.074, \"elevation_ft\": 1086}")));
        }
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlMatching("/district/gauges/.*")).atPriority(5)
                .willReturn(WireMock.aResponse().withStatus(404)));

        RestAssured.given().post("/sources/test-gauges/runs").then().statusCode(200);
        assertEquals("Gauge GM-1", landing.rows("select name from gauges where gauge_id = 'GM-1'").get(0).get("name"));
        assertEquals(new BigDecimal("-112.074000"), landing.rows("select longitude from gauges where gauge_id = 'GM-2'").get(0).get("longitude"));

        // a month later is not now: a second run asks about no gauge again
        long before = SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/district/gauges/")).count();
        RestAssured.given().post("/sources/test-gauges/runs").then().statusCode(200);
        assertEquals(before, SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().startsWith("/district/gauges/")).count());
        RestAssured.given().get("/sources/test-gauges/coverage").then().statusCode(200)
                .body("complete", org.hamcrest.Matchers.hasItems("GM-1", "GM-2"));
    }

    @Test
    void workbooksOverHttpShouldLoadAndAMalformedOneShouldFailOnlyItsYear() throws Exception {
        java.io.ByteArrayOutputStream workbook = new java.io.ByteArrayOutputStream();
        try (org.apache.poi.xssf.usermodel.XSSFWorkbook book = new org.apache.poi.xssf.usermodel.XSSFWorkbook()) {
            org.apache.poi.ss.usermodel.CellStyle date = book.createCellStyle();
            date.setDataFormat(book.getCreationHelper().createDataFormat().getFormat("yyyy-mm-dd hh:mm"));
            org.apache.poi.ss.usermodel.Sheet sheet = book.createSheet("WB-1");
            sheet.createRow(0).createCell(0).setCellValue("Date/Time");
            sheet.getRow(0).createCell(1).setCellValue("Rainfall (in)");
            org.apache.poi.ss.usermodel.Row row = sheet.createRow(1);
            row.createCell(0).setCellValue(java.time.LocalDateTime.of(2020, 1, 5, 12, 0));
            row.getCell(0).setCellStyle(date);
            row.createCell(1).setCellValue(1.25);
            book.write(workbook);
        }
        byte[] good = workbook.toByteArray();
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rainfall/wy2020.xlsx")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody(good)));
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rainfall/wy2021.xlsx")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody(java.util.Arrays.copyOf(good, good.length / 2))));

        int id = RestAssured.given().contentType("application/json").body("{\"from\": 2020, \"to\": 2021}")
                .post("/sources/test-rain-xlsx/backfills").then().statusCode(201).extract().path("id");
        org.awaitility.Awaitility.await().atMost(60, java.util.concurrent.TimeUnit.SECONDS).pollDelay(200, java.util.concurrent.TimeUnit.MILLISECONDS)
                .until(() -> RestAssured.given().get("/sources/test-rain-xlsx/backfills/" + id).then().extract().path("status").toString().startsWith("done"));
        assertEquals(new BigDecimal("1.250"), landing.rows("select rainfall_in from rain_readings where gauge_id = 'WB-1'").get(0).get("rainfall_in"));
        assertArrayEquals(good, landing.object("raw/http/test-rain-xlsx/2020/wy2020.xlsx"));
        Map<String, Object> broken = landing.rows("select status, last_error from http_resource where source = 'test-rain-xlsx' and period = '2021'").get(0);
        assertEquals("failed", broken.get("status"));
        assertTrue(((String) broken.get("last_error")).startsWith("not a readable XLSX workbook"), String.valueOf(broken.get("last_error")));
    }

    @Test
    void aPeriodNotPublishedYetShouldBeRecordedAsNotAvailable() throws Exception {
        SluiceTestResources.upstream.stubFor(WireMock.get(WireMock.urlEqualTo("/district/rain/wy2031.csv")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(404)));
        RestAssured.given().post("/sources/test-rain-csv/runs?period=2031").then().statusCode(200)
                .body("status", equalTo("not_available")).body("requests", equalTo(1));
        assertEquals("not_available", landing.rows("select status from http_resource where source = 'test-rain-csv' and period = '2031'").get(0).get("status"));
    }
}
