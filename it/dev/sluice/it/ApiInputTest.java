package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the API accepts from a client that has the credentials: manual catalog entries only outside
 * Sluice's own prefixes, backfills within the pending-period limits, and periods in the source's
 * own format — each refused with a 400/409 that says why, before anything reaches a URL, an
 * object key or the database.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class ApiInputTest {

    @Inject
    Landing landing;

    private void upload(String key) {
        landing.s3().putObject(b -> b.bucket("sluice").key(key), RequestBody.fromBytes(new byte[] {1, 2, 3}));
    }

    private static io.restassured.response.ValidatableResponse post(String path, String json) {
        return RestAssured.given().contentType(ContentType.JSON).body(json).post(path).then();
    }

    @Test
    void aManualEntryShouldNotPointIntoSluicesOwnPrefixes() {
        for (String key : List.of("raw/landing-copy.csv", "raw/http/test-rain-csv/2024/by-hand.csv", "bronze/events/by-hand.parquet",
                "silver/stop_executions/by-hand.parquet", "test-mrms/2025/06/21/08/by-hand.grib2.gz", "test-gfs/by-hand",
                "test-goes/2025/06/19/12/by-hand", "./raw/dot-segment.csv", "raw//double-slash.csv")) {
            boolean stored = !key.contains("//") && !key.startsWith("./");
            if (stored) {
                // (the object exists: what refuses the entry is where it is; the store refuses those two names itself)
                upload(key);
            }
            post("/catalog", "{\"source\": \"uploads\", \"storageKey\": \"" + key + "\"}").statusCode(400)
                    .body("message", containsString("where Sluice keeps what it stores itself"));
            // not left for the pipelines that own these prefixes (the silver builder reads every bronze/ object)
            if (stored) {
                landing.s3().deleteObject(b -> b.bucket("sluice").key(key));
            }
        }
        assertEquals(0, RestAssured.get("/catalog?origin=manual&source=uploads&size=1000").then().statusCode(200).extract()
                .jsonPath().getList("items.storageKey").stream().filter(k -> !k.toString().startsWith("uploads/")).count());
        // beside them is fine: other prefixes, and names that only begin like one
        for (String key : List.of("uploads/prefix-check/a.bin", "rawdata/prefix-check.bin", "test-mrms-archive/prefix-check.bin")) {
            upload(key);
            post("/catalog", "{\"source\": \"prefix-check\", \"storageKey\": \"" + key + "\"}").statusCode(201);
        }
        // and an entry cannot be moved there either
        upload("uploads/prefix-check/move-me.bin");
        int id = post("/catalog", "{\"source\": \"prefix-check\", \"storageKey\": \"uploads/prefix-check/move-me.bin\"}")
                .statusCode(201).extract().path("id");
        RestAssured.given().contentType(ContentType.JSON).body("{\"source\": \"prefix-check\", \"storageKey\": \"raw/landing-copy.csv\"}")
                .put("/catalog/" + id).then().statusCode(400).body("message", containsString("'raw/'"));
        RestAssured.get("/catalog/" + id).then().body("storageKey", equalTo("uploads/prefix-check/move-me.bin"));
    }

    @Test
    void aBackfillOfSeventyYearsOfSixHourlyCyclesShouldBeRefusedEveryTime() throws Exception {
        for (int attempt = 0; attempt < 2; attempt++) {
            post("/sources/test-gfs/backfills", "{\"from\": \"2000-01-01\", \"to\": \"2068-01-01\"}").statusCode(400)
                    .body("message", containsString("99349 periods")).body("message", containsString("split the range"));
        }
        assertEquals(0, landing.count("select count(*) from backfill where source = 'test-gfs'"));
        // counted, not listed: a range of millions of periods is refused as quickly
        post("/sources/test-gfs/backfills", "{\"from\": \"1000-01-01\", \"to\": \"2999-12-31\"}").statusCode(400)
                .body("message", containsString("split the range"));
    }

    @Test
    void pendingPeriodsShouldStayWithinTheLimitsPerSourceAndInTotal() throws Exception {
        try {
            // all sources together: 50,000 pending at most
            long pending = landing.count("select count(*) from backfill_period where status in ('pending', 'running')");
            long toSeed = 50_000 - 5 - pending;
            for (int i = 0; toSeed > 0; i++) {
                long n = Math.min(9_000, toSeed);
                seed("seeded-" + i, n);
                toSeed -= n;
            }
            post("/sources/test-hrrr/backfills", "{\"from\": \"2025-01-01T00:00:00Z\", \"to\": \"2025-01-01T05:00:00Z\"}").statusCode(409)
                    .body("message", containsString("in total"));
            unseed();

            // one source: 10,000 pending at most
            seed("test-hrrr", 9_990);
            post("/sources/test-hrrr/backfills", "{\"from\": \"2025-01-01T00:00:00Z\", \"to\": \"2025-01-01T11:00:00Z\"}").statusCode(409)
                    .body("message", containsString("'test-hrrr' has 9990 backfill periods pending"));
            // another source is not held up by it
            post("/sources/test-goes/backfills", "{\"from\": \"2025-01-01T00:00:00Z\", \"to\": \"2025-01-01T01:00:00Z\"}").statusCode(201);
            // up to the limit is fine
            int id = post("/sources/test-hrrr/backfills", "{\"from\": \"2025-01-01T00:00:00Z\", \"to\": \"2025-01-01T09:00:00Z\"}")
                    .statusCode(201).body("periodsTotal", equalTo(10)).extract().path("id");
            Awaitility.await().atMost(60, TimeUnit.SECONDS).until(() ->
                    RestAssured.get("/sources/test-hrrr/backfills/" + id).then().extract().path("status").toString().startsWith("done"));
        } finally {
            unseed();
        }
    }

    /** n pending periods of a stopped backfill of {@code source} (stopped: nothing runs them). */
    private void seed(String source, long n) throws Exception {
        landing.rows("""
                with b as (insert into backfill (source, period_from, period_to, status) values (?, 'seeded', 'seeded', 'failed') returning id),
                     p as (insert into backfill_period (backfill_id, period, position, status)
                           select b.id, 'seeded-' || g, g, 'pending' from b, generate_series(1, ?) g returning 1)
                select count(*) from p""", source, n);
    }

    private void unseed() throws Exception {
        landing.rows("""
                with p as (delete from backfill_period where backfill_id in (select id from backfill where period_from = 'seeded') returning 1),
                     b as (delete from backfill where period_from = 'seeded' returning 1)
                select (select count(*) from p) + (select count(*) from b)""");
    }

    @Test
    void periodsShouldBeInTheSourcesFormatBeforeTheyReachAUrlOrAKey() throws Exception {
        long requests = upstreamRequests();
        // a water-year source: 2024, nothing else
        for (String period : List.of("..%2F", "..%2F..%2Fsecret", "2024%2F..%2F..%2Fx", "20245", "2024-01", "wy2024", "0999")) {
            RestAssured.given().urlEncodingEnabled(false).post("/sources/test-rain-csv/runs?period=" + period).then().statusCode(400)
                    .body("message", containsString("a water year like 2024"));
        }
        // one resource: "latest"; per gauge: a gauge id
        RestAssured.given().urlEncodingEnabled(false).post("/sources/test-index/runs?period=..%2Fx").then().statusCode(400)
                .body("message", containsString("latest"));
        for (String period : List.of("..%2F..%2Fx", "GM-1%2F..", "..", "%2Fetc%2Fpasswd")) {
            RestAssured.given().urlEncodingEnabled(false).post("/sources/test-gauges/runs?period=" + period).then().statusCode(400)
                    .body("message", containsString("gauge id"));
        }
        // a bucket source: a date or a time with its offset
        for (String period : List.of("..%2F", "2025-06-19T12:00:00", "%2B12025-01-01T00:00Z", "2025-06-19%2F..")) {
            RestAssured.given().urlEncodingEnabled(false).post("/sources/test-gfs/runs?period=" + period).then().statusCode(400)
                    .body("message", containsString("is not a date (2025-06-19) or time (2025-06-19T12:00:00Z)"));
        }
        // backfills and coverage take the same periods
        post("/sources/test-rain-csv/backfills", "{\"from\": \"../\", \"to\": 2024}").statusCode(400).body("message", containsString("from:"));
        post("/sources/test-rain-csv/backfills", "{\"from\": 2020, \"to\": \"2024/../..\"}").statusCode(400).body("message", containsString("to:"));
        post("/sources/test-rain-csv/backfills", "{\"from\": -5, \"to\": 2024}").statusCode(400).body("message", containsString("water year"));
        post("/sources/test-gauges/backfills", "{\"from\": \"GM-1\", \"to\": \"GM-2\"}").statusCode(400).body("message", containsString("per gauge"));
        post("/sources/test-gfs/backfills", "{\"from\": \"../x\", \"to\": \"2025-01-01\"}").statusCode(400);
        post("/sources/test-gfs/backfills", "[\"2025-01-01\", \"2025-01-02\"]").statusCode(400).body("message", containsString("JSON"));
        RestAssured.get("/sources/test-rain-csv/coverage?from=-5").then().statusCode(400).body("message", containsString("water year"));

        assertEquals(requests, upstreamRequests(), "a refused period reached the upstream");
        assertEquals(0, landing.count("select count(*) from http_resource where period like '%..%' or period like '%/%'"));
        assertEquals(0, landing.count("select count(*) from file_ledger where identity like '%..%'"));
        // what is valid still runs
        SluiceTestResources.upstream.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/district/rain/wy1987.csv")).atPriority(1)
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)));
        RestAssured.post("/sources/test-rain-csv/runs?period=1987").then().statusCode(200).body("status", equalTo("not_available"));
        assertTrue(upstreamRequests() > requests);
    }

    private static long upstreamRequests() {
        return SluiceTestResources.upstream.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().startsWith("/district/")).count();
    }
}
