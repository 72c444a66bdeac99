package dev.sluice.it;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The datasets API as a client sees it: the declared datasets, their rows filtered, sorted and
 * paged, one row by its natural key, rows of the writable `datasets` dataset created, replaced and
 * deleted (each write a run the row points at), and a JSON 400/404/405/409 with a message for every
 * request that cannot be answered. Rows made here carry the prefix RAPI- / rows-api- and are removed.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class DatasetsApiTest {

    private static final String READINGS = "/datasets/rain-gauge-readings/rows";
    private static final String DATASETS = "/datasets/datasets/rows";

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void sixReadingsOfTwoGauges() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // the lineage column comes with the tables made from declarations; tolerate a database without it yet
            s.execute("alter table rain_readings add column if not exists ingest_run_id bigint");
            s.execute("alter table datasets add column if not exists ingest_run_id bigint");
            s.execute("""
                    insert into rain_readings (gauge_id, observed_at, rainfall_in, quality) values
                    ('RAPI-1', '2024-07-01T00:00:00Z', 0.250, 'rows-api'),
                    ('RAPI-1', '2024-07-01T01:00:00Z', 0.500, 'rows-api'),
                    ('RAPI-1', '2024-07-01T02:00:00Z', 1.125, 'rows-api'),
                    ('RAPI-1', '2024-07-01T03:00:00Z', 0.000, 'rows-api'),
                    ('RAPI-2', '2024-07-01T00:00:00Z', 2.000, 'rows-api'),
                    ('RAPI-2', '2024-07-01T01:00:00Z', null, 'rows-api')""");
        }
    }

    @AfterEach
    void removeWhatTheTestMade() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("delete from rain_readings where gauge_id like 'RAPI-%'");
            s.execute("delete from datasets where name like 'rows-api-%'");
            s.execute("delete from ingest_run where source = 'api' and subject like 'rows-api-%'");
        }
    }

    @Test
    void declaredDatasetsShouldBeListedWithColumnsKeyRowCountAndRetention() {
        RestAssured.get("/datasets").then().statusCode(200)
                .body("name", hasItem("rain-gauge-readings"))
                .body("find { it.name == 'rain-gauge-readings' }.table", equalTo("rain_readings"))
                .body("find { it.name == 'rain-gauge-readings' }.naturalKey", equalTo(List.of("gauge_id", "observed_at")))
                .body("find { it.name == 'rain-gauge-readings' }.writable", equalTo(false))
                .body("find { it.name == 'rain-gauge-readings' }.columns[0].name", equalTo("gauge_id"))
                .body("find { it.name == 'rain-gauge-readings' }.columns[0].maxLength", equalTo(32))
                .body("find { it.name == 'rain-gauge-readings' }.columns[0].key", equalTo(true))
                .body("find { it.name == 'rain-gauge-readings' }.columns[2].precision", equalTo(8))
                .body("find { it.name == 'rain-gauge-readings' }.rowCount", greaterThanOrEqualTo(6))
                .body("find { it.name == 'rain-gauge-readings' }.rowCountExact", equalTo(true))
                .body("find { it.name == 'rain-gauge-readings' }.retention", notNullValue())
                .body("find { it.name == 'datasets' }.writable", equalTo(true))
                .body("find { it.name == 'datasets' }.rows", equalTo("/datasets/datasets/rows"));
        RestAssured.get("/datasets/gauge-metadata").then().statusCode(200).body("naturalKey", equalTo(List.of("gauge_id")));
        RestAssured.get("/datasets/no-such-dataset").then().statusCode(404).body("message", containsString("rain-gauge-readings"));
    }

    @Test
    void rowsShouldBeFilteredSortedAndPaged() {
        // equality, typed values (decimals as exact JSON numbers, timestamps as UTC instants), the lineage column
        rows("gauge_id=RAPI-1").body("total", equalTo(4)).body("page", equalTo(1))
                .body("items.observed_at", equalTo(List.of("2024-07-01T00:00:00Z", "2024-07-01T01:00:00Z",
                        "2024-07-01T02:00:00Z", "2024-07-01T03:00:00Z")))
                .body("items[2].rainfall_in", equalTo(1.125f))
                .body("items[0]", org.hamcrest.Matchers.hasKey("ingest_run_id"));
        // ranges on a timestamp (from inclusive, to exclusive) and on a number
        rows("gauge_id=RAPI-1&observed_at.gte=2024-07-01T01:00:00Z&observed_at.lt=2024-07-01T03:00:00Z")
                .body("items.rainfall_in", equalTo(List.of(0.5f, 1.125f)));
        rows("quality=rows-api&rainfall_in.gt=0.4&rainfall_in.lte=2").body("total", equalTo(3));
        // a timestamp with an offset ('+' sent as %2B), the same instant as 01:00Z
        rows("gauge_id=RAPI-2&observed_at=2024-07-01T08:00:00%2B07:00").body("total", equalTo(1))
                .body("items[0].rainfall_in", nullValue());
        // sort on key columns, '-' descending; pages of 2
        rows("quality=rows-api&sort=-observed_at,gauge_id&size=2&page=2").body("total", equalTo(6))
                .body("items.gauge_id", equalTo(List.of("RAPI-1", "RAPI-2")))
                .body("items.observed_at", equalTo(List.of("2024-07-01T01:00:00Z", "2024-07-01T01:00:00Z")));
        rows("quality=rows-api&sort=-gauge_id&size=1").body("items[0].gauge_id", equalTo("RAPI-2"))
                .body("items[0].observed_at", equalTo("2024-07-01T00:00:00Z"));
        // a filter value is data, never SQL
        rows("gauge_id=RAPI-1' or '1'='1").body("total", equalTo(0));
        // the lineage column filters too: the rows one run wrote
        rows("quality=rows-api&ingest_run_id=987654321").body("total", equalTo(0));
    }

    @Test
    void requestsTheDatasetCannotAnswerShouldSayWhy() {
        refused(READINGS + "?colour=red", 400, "unknown parameter 'colour'");
        refused(READINGS + "?observed_at.gte=yesterday", 400, "observed_at");
        refused(READINGS + "?gauge_id.gt=RAPI", 400, "ranges apply to timestamp and number columns");
        refused(READINGS + "?rainfall_in.between=1", 400, "not one of eq, gte, gt, lte, lt");
        refused(READINGS + "?rainfall_in=lots", 400, "rainfall_in");
        refused(READINGS + "?sort=rainfall_in", 400, "not a natural-key column");
        refused(READINGS + "?sort=gauge_id%3Bdrop%20table%20rain_readings", 400, "sort");
        // unencoded: a parameter name HTTP cannot carry back as a header is still an answered 400
        refused(READINGS + "?sort=gauge_id;drop table rain_readings", 400, "");
        refused(READINGS + "?size=5000", 400, "size");
        refused(READINGS + "?gauge_id=A&gauge_id=B", 400, "gauge_id");
        refused("/datasets/no-such-dataset/rows", 404, "no dataset 'no-such-dataset'");
        refused(READINGS + "/RAPI-1/2024-07-01T05:00:00Z", 404, "no row of rain-gauge-readings");
        refused(READINGS + "/RAPI-1", 404, "gauge_id/observed_at");
        refused(READINGS + "/RAPI-1/soon", 400, "observed_at");
        ApiCredentials.anonymous().get(READINGS).then().statusCode(401);
        ApiCredentials.anonymous().get("/datasets").then().statusCode(401);
    }

    @Test
    void oneRowShouldBeFoundByItsNaturalKey() {
        RestAssured.get(READINGS + "/RAPI-1/2024-07-01T02:00:00Z").then().statusCode(200)
                .body("gauge_id", equalTo("RAPI-1"))
                .body("observed_at", equalTo("2024-07-01T02:00:00Z"))
                .body("rainfall_in", equalTo(1.125f))
                .body("quality", equalTo("rows-api"));
        // the key in the declared zone (America/Phoenix, UTC-7) when it has no offset, as in the files
        RestAssured.get(READINGS + "/RAPI-2/2024-06-30 17:00:00").then().statusCode(200).body("rainfall_in", equalTo(2.0f));
    }

    @Test
    void rowsOfTheWritableDatasetShouldBeCreatedReplacedAndDeleted() throws SQLException {
        // created: 201 with the row as stored, which points at the run that wrote it
        int run = RestAssured.given().contentType(ContentType.JSON).body("""
                        {"name": "rows-api-one", "description": "made by DatasetsApiTest", "format": "csv",
                         "updated_at": "2024-07-01T12:00:00Z"}""")
                .post(DATASETS).then().statusCode(201)
                .body("name", equalTo("rows-api-one"))
                .body("updated_at", equalTo("2024-07-01T12:00:00Z"))
                .body("ingest_run_id", notNullValue())
                .extract().jsonPath().getInt("ingest_run_id");
        assertEquals(1, count("select count(*) from ingest_run where id = ? and source = 'api' and dataset = 'datasets'"
                + " and subject = 'rows-api-one' and outcome = 'loaded'", run));
        write("post", DATASETS, "{\"name\": \"rows-api-one\"}", 409, "exists");
        RestAssured.get(DATASETS + "/rows-api-one").then().statusCode(200).body("format", equalTo("csv"));
        RestAssured.given().queryParam("name", "rows-api-one").get(DATASETS).then().statusCode(200).body("total", equalTo(1));

        // replaced as a whole: what the body leaves out becomes null; the key comes from the path
        RestAssured.given().contentType(ContentType.JSON).body("{\"description\": \"replaced\", \"license\": \"CC-BY-4.0\"}")
                .put(DATASETS + "/rows-api-one").then().statusCode(200)
                .body("description", equalTo("replaced")).body("license", equalTo("CC-BY-4.0"))
                .body("format", nullValue()).body("name", equalTo("rows-api-one"));
        write("put", DATASETS + "/rows-api-one", "{\"name\": \"rows-api-two\"}", 400, "differs from the path");
        write("put", DATASETS + "/rows-api-absent", "{\"description\": \"x\"}", 404, "no row of datasets with name=rows-api-absent");

        // deleted: 204, then 404
        RestAssured.delete(DATASETS + "/rows-api-one").then().statusCode(204);
        RestAssured.delete(DATASETS + "/rows-api-one").then().statusCode(404);
        RestAssured.get(DATASETS + "/rows-api-one").then().statusCode(404);
        assertEquals(0, count("select count(*) from datasets where name = ?", "rows-api-one"));
    }

    @Test
    void rowsThatDoNotMatchTheDeclarationShouldBeRefusedNamingTheField() throws SQLException {
        write("post", DATASETS, "{\"description\": \"no name\"}", 400, "name: required");
        write("post", DATASETS, "{\"name\": 5}", 400, "name: a string expected");
        write("post", DATASETS, "{\"name\": \"rows-api-x\", \"colour\": \"red\"}", 400, "unknown field 'colour'");
        write("post", DATASETS, "{\"name\": \"rows-api-" + "x".repeat(200) + "\"}", 400, "name: longer than 200");
        write("post", DATASETS, "{\"name\": \"rows-api-x\", \"updated_at\": \"last week\"}", 400, "updated_at:");
        write("post", DATASETS, "{\"name\": \"rows-api-x\", \"ingest_run_id\": 1}", 400, "ingest_run_id: set by Sluice");
        write("post", DATASETS, "[1, 2]", 400, "");
        write("post", DATASETS, "{\"name\": ", 400, "not the JSON expected");
        // every problem at once
        RestAssured.given().contentType(ContentType.JSON).body("{\"format\": 1, \"updated_at\": true}").post(DATASETS)
                .then().statusCode(400).body("message", allOf(containsString("name: required"),
                        containsString("format: a string expected"), containsString("updated_at: a string expected")));
        assertEquals(0, count("select count(*) from datasets where name like ?", "rows-api-%"));
    }

    @Test
    void readOnlyDatasetsShouldRefuseWrites() throws SQLException {
        write("post", READINGS, "{\"gauge_id\": \"RAPI-3\", \"observed_at\": \"2024-07-01T00:00:00Z\"}", 405, "read-only");
        write("put", READINGS + "/RAPI-1/2024-07-01T00:00:00Z", "{\"rainfall_in\": 9}", 405, "read-only");
        RestAssured.delete(READINGS + "/RAPI-1/2024-07-01T00:00:00Z").then().statusCode(405).body("message", containsString("writable: true"));
        assertEquals(4, count("select count(*) from rain_readings where gauge_id = ?", "RAPI-1"));
    }

    @Test
    void theOpenApiDocumentShouldDescribeTheDatasetsAndCatalogPaths() {
        RestAssured.get("/openapi.json").then().statusCode(200)
                .body("paths.'/datasets'.get", notNullValue())
                .body("paths.'/datasets/{name}/rows'.get", notNullValue())
                .body("paths.'/datasets/{name}/rows'.post.requestBody", notNullValue())
                .body("paths.'/datasets/{name}/rows/{key1}/{key2}'.get", notNullValue())
                .body("paths.'/datasets/{name}/rows/{key1}'.delete", notNullValue())
                .body("paths.'/catalog'.get", notNullValue());
    }

    private static ValidatableResponse rows(String query) {
        return RestAssured.given().urlEncodingEnabled(false).get(READINGS + "?" + query.replace(" ", "%20").replace("'", "%27"))
                .then().statusCode(200);
    }

    private static void refused(String path, int status, String message) {
        RestAssured.given().urlEncodingEnabled(false).get(path.replace(" ", "%20")).then().statusCode(status)
                .contentType(ContentType.JSON).body("status", equalTo(status)).body("message", containsString(message));
    }

    private static void write(String method, String path, String json, int status, String message) {
        RestAssured.given().contentType(ContentType.JSON).body(json).request(method, path).then().statusCode(status)
                .contentType(ContentType.JSON).body("status", equalTo(status)).body("message", containsString(message));
    }

    private long count(String sql, Object... parameters) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (var row = s.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
