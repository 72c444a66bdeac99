package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Who may do what over HTTP: every endpoint but /q/health/* wants credentials; the reader reads,
 * only the console user writes; writes come from Sluice's own origin and carry JSON, so a
 * cross-site form cannot purge or run anything on behalf of a logged-in operator.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class ApiSecurityTest {

    private static final List<String> READS = List.of("/catalog", "/catalog/1", "/datasets", "/datasets/rain-gauge-readings/rows", "/runs", "/dead-letters", "/sources",
            "/sources/test-rain-csv/coverage", "/purge/preview", "/openapi.json", "/q/metrics", "/hawtio/", "/hawtio/index.html",
            "/no-such-page");

    @Inject
    Landing landing;

    @Test
    void everyEndpointButTheHealthChecksShouldWantCredentials() {
        for (String path : READS) {
            ApiCredentials.anonymous().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Basic realm=")).body("status", equalTo(401));
            ApiCredentials.anonymous().head(path).then().statusCode(401);
            RestAssured.given().auth().preemptive().basic(ApiCredentials.value("SLUICE_CONSOLE_USER"), "wrong").get(path).then().statusCode(401);
            RestAssured.given().auth().preemptive().basic(ApiCredentials.value("SLUICE_READER_USER"), ApiCredentials.value("SLUICE_CONSOLE_PASSWORD"))
                    .get(path).then().statusCode(401);
        }
        for (String write : List.of("/purge/runs", "/sources/test-rain-csv/runs", "/sources/test-gfs/backfills", "/catalog", "/datasets/datasets/rows")) {
            ApiCredentials.anonymous().contentType(ContentType.JSON).body("{}").post(write).then().statusCode(401);
        }
        ApiCredentials.anonymous().put("/catalog/1").then().statusCode(401);
        ApiCredentials.anonymous().delete("/catalog/1").then().statusCode(401);
        ApiCredentials.anonymous().put("/datasets/datasets/rows/x").then().statusCode(401);
        ApiCredentials.anonymous().delete("/datasets/datasets/rows/x").then().statusCode(401);
        // the dead letters hold raw records: nobody reads them without credentials
        ApiCredentials.anonymous().get("/dead-letters?size=1").then().statusCode(401);
        // paths are checked decoded and normalized: no way round by escaping or dot segments
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/hawtio%2Findex.html").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/dead%2Dletters").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/q/health/..%2F..%2Fdead-letters").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/q/health/../../dead-letters").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/q/health%2F..%2F..%2Fruns").then().statusCode(401);
        // what Kubernetes probes ask stays open
        ApiCredentials.anonymous().get("/q/health/live").then().statusCode(200);
        ApiCredentials.anonymous().get("/q/health/started").then().statusCode(200);
        ApiCredentials.anonymous().get("/q/health").then().statusCode(200);
        ApiCredentials.anonymous().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void theReaderShouldReadEverythingAndWriteNothing() throws Exception {
        for (String path : List.of("/catalog", "/datasets", "/datasets/datasets/rows", "/runs", "/dead-letters", "/sources", "/purge/preview", "/openapi.json", "/q/metrics", "/hawtio/")) {
            ApiCredentials.reader().get(path).then().statusCode(200);
        }
        long purges = landing.count("select count(*) from ingest_run where kind = 'purge'");
        ApiCredentials.reader().post("/purge/runs").then().statusCode(403).body("message", containsString("may only read"));
        ApiCredentials.reader().post("/sources/test-rain-csv/runs?period=2024").then().statusCode(403);
        ApiCredentials.reader().contentType(ContentType.JSON).body("{\"from\": 2015, \"to\": 2016}")
                .post("/sources/test-rain-csv/backfills").then().statusCode(403);
        ApiCredentials.reader().contentType(ContentType.JSON).body("{\"source\": \"uploads\", \"storageKey\": \"uploads/x.bin\"}")
                .post("/catalog").then().statusCode(403);
        ApiCredentials.reader().contentType(ContentType.JSON).body("{\"source\": \"uploads\", \"storageKey\": \"uploads/x.bin\"}")
                .put("/catalog/1").then().statusCode(403);
        ApiCredentials.reader().delete("/catalog/1").then().statusCode(403);
        ApiCredentials.reader().contentType(ContentType.JSON).body("{\"name\": \"reader-made\"}")
                .post("/datasets/datasets/rows").then().statusCode(403);
        ApiCredentials.reader().delete("/datasets/datasets/rows/reader-made").then().statusCode(403);
        assertEquals(purges, landing.count("select count(*) from ingest_run where kind = 'purge'"), "a reader purged");
        // the console user may write: an unknown source is the API's 404, not the filter's refusal
        ApiCredentials.operator().post("/sources/no-such-source/runs").then().statusCode(404);
        // the console shows who is logged in
        ApiCredentials.reader().get("/hawtio/user").then().statusCode(200).body(equalTo("\"" + ApiCredentials.value("SLUICE_READER_USER") + "\""));
    }

    @Test
    void crossSiteWritesShouldBeRefusedEvenWithTheOperatorsCredentials() throws Exception {
        long purges = landing.count("select count(*) from ingest_run where kind = 'purge'");
        long fetches = landing.count("select count(*) from ingest_run where kind = 'fetch' and source = 'test-rain-csv'");
        String self = "http://127.0.0.1:" + RestAssured.port;
        // an HTML form on another site, posted by the operator's browser (which sends the cached Basic credentials)
        for (String path : List.of("/purge/runs", "/sources/test-rain-csv/runs?period=2024", "/sources/test-rain-csv/backfills")) {
            ApiCredentials.raw(ApiCredentials.operator().header("Origin", "https://evil.example"), "application/x-www-form-urlencoded", "x=1")
                    .post(path).then().statusCode(403).body("message", containsString("cross-origin"));
            ApiCredentials.operator().header("Origin", "https://evil.example").contentType(ContentType.JSON).body("{}")
                    .post(path).then().statusCode(403);
            ApiCredentials.operator().header("Origin", "null").post(path).then().statusCode(403);
            ApiCredentials.raw(ApiCredentials.operator().header("Sec-Fetch-Site", "cross-site"), "text/plain", "x")
                    .post(path).then().statusCode(403);
            // the same port on another host, another port on this host: other origins too
            ApiCredentials.operator().header("Origin", "http://localhost.evil.example:" + RestAssured.port).post(path).then().statusCode(403);
            ApiCredentials.operator().header("Origin", "http://127.0.0.1:1").post(path).then().statusCode(403);
            // a form without Origin (old browsers, privacy settings) still cannot send what the API reads
            for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain")) {
                ApiCredentials.raw(ApiCredentials.operator(), type, "x=1").post(path).then().statusCode(415)
                        .body("message", containsString("application/json"));
            }
        }
        ApiCredentials.operator().header("Origin", "https://evil.example").delete("/catalog/1").then().statusCode(403);
        ApiCredentials.raw(ApiCredentials.operator(), "text/plain", "{}").put("/catalog/1").then().statusCode(415);
        // an empty form too: no body, but a form's type
        ApiCredentials.raw(ApiCredentials.operator(), "application/x-www-form-urlencoded", "").post("/purge/runs").then().statusCode(415);
        assertEquals(purges, landing.count("select count(*) from ingest_run where kind = 'purge'"), "a cross-site request purged");
        assertEquals(fetches, landing.count("select count(*) from ingest_run where kind = 'fetch' and source = 'test-rain-csv'"));
        // Sluice's own pages, and clients that send no Origin, write as before
        ApiCredentials.operator().header("Origin", self).header("Sec-Fetch-Site", "same-origin").post("/sources/no-such-source/runs")
                .then().statusCode(404);
        ApiCredentials.operator().contentType("application/json; charset=UTF-8").body("{\"from\": 1, \"to\": 2}")
                .post("/sources/no-such-source/backfills").then().statusCode(404);
    }
}
