package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The catalog and status API as a client sees it: manual entries made, changed and removed, lists
 * filtered, sorted and paged, downloads that return the object's bytes, and a JSON 400/404/409 with
 * a message for every malformed or impossible request.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class CatalogApiTest {

    @Inject
    Landing landing;

    private void upload(String key, byte[] bytes) {
        landing.s3().putObject(b -> b.bucket("sluice").key(key), RequestBody.fromBytes(bytes));
    }

    private int create(String json) {
        return RestAssured.given().contentType(ContentType.JSON).body(json).post("/catalog")
                .then().statusCode(201).extract().jsonPath().getInt("id");
    }

    @Test
    void manualEntriesShouldBeCreatedListedDownloadedChangedAndRemoved() throws Exception {
        byte[] content = "radar composite, by hand".getBytes();
        upload("uploads/radar/composite-1.bin", content);
        upload("uploads/radar/composite-2.bin", new byte[] {1, 2, 3});
        upload("uploads/radar/composite-3.bin", new byte[] {4});

        int first = create("""
                {"source": "radar-uploads", "storageKey": "uploads/radar/composite-1.bin", "parameter": "REFC",
                 "referenceTime": "2025-06-19T12:00:00Z", "forecastHour": 3}""");
        create("""
                {"source": "radar-uploads", "storageKey": "uploads/radar/composite-2.bin", "parameter": "REFC", "referenceTime": "2025-06-20T12:00:00Z"}""");
        create("""
                {"source": "radar-uploads", "storageKey": "uploads/radar/composite-3.bin", "parameter": "PRATE", "referenceTime": "2025-06-21T12:00:00Z"}""");

        RestAssured.get("/catalog/" + first).then().statusCode(200)
                .body("source", equalTo("radar-uploads"))
                .body("bytes", equalTo(content.length))
                .body("validTime", equalTo("2025-06-19T15:00:00Z"))
                .body("origin", equalTo("manual"))
                .body("download", equalTo("/catalog/" + first + "/content"))
                .body("presignedUrl", notNullValue());
        byte[] proxied = RestAssured.get("/catalog/" + first + "/content").then().statusCode(200).extract().asByteArray();
        assertArrayEquals(content, proxied);
        String presigned = RestAssured.get("/catalog/" + first).then().extract().jsonPath().getString("presignedUrl");
        HttpResponse<byte[]> direct = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(presigned)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, direct.statusCode());
        assertArrayEquals(content, direct.body());

        // filters, sort and pages
        RestAssured.given().queryParam("source", "radar-uploads").queryParam("parameter", "REFC").get("/catalog").then().statusCode(200)
                .body("total", equalTo(2));
        RestAssured.given().queryParam("source", "radar-uploads").queryParam("from", "2025-06-20").queryParam("to", "2025-06-22")
                .get("/catalog").then().statusCode(200).body("total", equalTo(2));
        List<String> ascending = RestAssured.given().queryParam("source", "radar-uploads").queryParam("sort", "referenceTime")
                .queryParam("order", "asc").queryParam("size", 2).queryParam("page", 2).get("/catalog")
                .then().statusCode(200).body("total", equalTo(3)).extract().jsonPath().getList("items.storageKey");
        assertEquals(List.of("uploads/radar/composite-3.bin"), ascending);

        // changed, then removed (the object stays)
        RestAssured.given().contentType(ContentType.JSON).body("""
                {"source": "radar-uploads", "storageKey": "uploads/radar/composite-1.bin", "parameter": "REFD"}""")
                .put("/catalog/" + first).then().statusCode(200).body("parameter", equalTo("REFD")).body("version", equalTo(2));
        RestAssured.delete("/catalog/" + first).then().statusCode(204).body(org.hamcrest.Matchers.emptyString());
        RestAssured.get("/catalog/" + first).then().statusCode(404).body("message", containsString(String.valueOf(first)));
        RestAssured.delete("/catalog/" + first).then().statusCode(404);
        RestAssured.given().contentType(ContentType.JSON).body("{\"source\": \"uploads\", \"storageKey\": \"uploads/radar/composite-1.bin\"}")
                .put("/catalog/" + first).then().statusCode(404);
        assertArrayEquals(content, landing.object("uploads/radar/composite-1.bin"));
    }

    @Test
    void invalidRequestsShouldBeAnsweredWithTheirReason() throws Exception {
        upload("uploads/dup.bin", new byte[] {9});
        create("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\"}");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\"}", 409, "already in the catalog");
        post("{\"source\": \"uploads\"}", 400, "storageKey: required");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/absent.bin\"}", 400, "no object");
        post("{\"source\": \"Up Loads\", \"storageKey\": \"uploads/dup.bin\"}", 400, "source");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\", \"colour\": \"red\"}", 400, "unknown field 'colour'");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\", \"referenceTime\": \"yesterday\"}", 400, "referenceTime");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\", \"forecastHour\": -1}", 400, "forecastHour");
        post("[1, 2]", 400, "");
        // what is not JSON, or not the entry's JSON, is the client's error too, said in the entry's terms
        post("{\"source\": \"uploads\", \"storageKey\": ", 400, "not the JSON expected");
        post("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\", \"forecastHour\": \"soon\"}", 400, "forecastHour:");
        long polled = ((Number) landing.rows("insert into catalog (source, storage_key, bytes) values ('test-mrms', 'test-mrms/api/x', 1) returning id")
                .get(0).get("id")).longValue();
        RestAssured.delete("/catalog/" + polled).then().statusCode(409).body("message", containsString("only manual entries"));
        RestAssured.given().contentType(ContentType.JSON).body("{\"source\": \"uploads\", \"storageKey\": \"uploads/dup.bin\"}")
                .put("/catalog/" + polled).then().statusCode(409);
        RestAssured.get("/catalog/not-a-number").then().statusCode(400).body("message", containsString("not-a-number"));
        RestAssured.get("/catalog/987654321").then().statusCode(404);
        // the download's verb streams bytes, yet its errors are JSON like every other verb's
        RestAssured.get("/catalog/987654321/content").then().statusCode(404).contentType(ContentType.JSON)
                .body("status", equalTo(404));
        RestAssured.given().queryParam("from", "tomorrow-ish").get("/catalog").then().statusCode(400).body("message", containsString("from"));
        RestAssured.given().queryParam("sort", "storage_key; drop table catalog").get("/catalog").then().statusCode(400);
        RestAssured.given().queryParam("size", 5000).get("/catalog").then().statusCode(400).body("message", containsString("size"));
        RestAssured.given().queryParam("since", "x").get("/runs").then().statusCode(400);
        RestAssured.given().queryParam("page", 0).get("/dead-letters").then().statusCode(400);
        RestAssured.given().queryParam("source", "x' or '1'='1").get("/runs").then().statusCode(400);
    }

    @Test
    void statusEndpointsShouldDescribeSourcesRunsAndDeadLetters() throws Exception {
        RestAssured.get("/sources").then().statusCode(200)
                .body("find { it.name == 'test-mrms' }.type", equalTo("bucket"))
                // a bucket source whose route file is loaded is scheduled: the tests' never fire before 2099
                .body("find { it.name == 'test-mrms' }.enabled", equalTo(true))
                .body("find { it.name == 'test-mrms' }.schedule", equalTo(BucketSourceFiles.NEVER))
                .body("find { it.name == 'test-mrms' }.nextRun", org.hamcrest.Matchers.matchesPattern("209[89]-.*"))
                .body("find { it.name == 'test-rain-csv' }.type", equalTo("http"))
                .body("find { it.name == 'test-rain-csv' }.dataset", equalTo("rain-gauge-readings"));

        landing.drop("rain-api-status.csv", "gauge_id,observed_at,rainfall_in\nG1,2025-01-01 00:00,0.1\nG1,not a time,0.2\n");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                landing.count("select count(*) from dead_letter where file = 'rain-api-status.csv'") == 1);
        RestAssured.given().queryParam("source", "landing").queryParam("kind", "file").get("/runs").then().statusCode(200)
                .body("items.subject", hasItem("rain-api-status.csv"));
        RestAssured.given().queryParam("file", "rain-api-status.csv").get("/dead-letters").then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].recordNumber", equalTo(3))
                .body("items[0].reason", containsString("observed_at"));

        RestAssured.get("/openapi.json").then().statusCode(200)
                .body("info.title", equalTo("Sluice"))
                .body("paths.'/catalog'.get", notNullValue())
                .body("paths.'/catalog'.post.requestBody", notNullValue())
                .body("paths.'/purge/preview'.get", notNullValue())
                .body("paths.'/sources'.get", notNullValue());
    }

    private static void post(String json, int status, String message) {
        RestAssured.given().contentType(ContentType.JSON).body(json).post("/catalog").then().statusCode(status)
                .contentType(ContentType.JSON).body("message", containsString(message)).body("status", equalTo(status));
    }
}
