package dev.sluice.it;

import com.github.tomakehurst.wiremock.client.WireMock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A download source (an HTTP source without a dataset, as the Kaggle fetcher's) against WireMock
 * playing the Kaggle API: a zip's members stored and catalogued, an unchanged dataset costing one
 * 304, a missing one recorded as not available, a zip bomb refused, the basic-auth header sent and
 * the key never logged; and the forced re-import of a period (POST /sources/{name}/runs?force=true).
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class HttpDownloadSourceTest {

    /** The Kaggle key of test-kaggle (TestSources): it must be sent, and appear in no log. */
    static final String KEY = "kaggle-key-7c1e94f0b2d35a68";
    private static final String USER = "acme-user";
    private static final String DOWNLOADS = "/kaggle/api/v1/datasets/download/acme/rain-";

    @Inject
    Landing landing;
    @Inject
    org.apache.camel.CamelContext camel;

    private final List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.logging.Handler capture = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
            StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(' ').append(parameter);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(' ').append(t);
            }
            logged.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void cleanUp() throws Exception {
        java.util.logging.Logger.getLogger("").removeHandler(capture);
        // what these tests catalogued (the catalog API lists every source's rows); their objects stay
        // under test-kaggle/ in the suite's temporary bucket, a prefix no other test reads
        landing.rows("delete from catalog where source = 'test-kaggle' returning 1");
    }

    @Test
    void aZipShouldBeStoredAsItsCataloguedMembersOnceAndAgainOnlyWhenForced() throws Exception {
        HttpSourceTest.EventRecorder events = new HttpSourceTest.EventRecorder();
        QuarkusMock.installMockForType(events, dev.sluice.events.PipelineEvents.class);
        byte[] readings = "gauge_id,observed_at,rainfall_in\nK-1,2040-10-01 00:00,0.4\n".getBytes(StandardCharsets.UTF_8);
        byte[] readme = "Rainfall of the acme district, water year 2041.\n".getBytes(StandardCharsets.UTF_8);
        byte[] zip = zip(Map.of("rain/readings.csv", readings, "README.txt", readme));
        String path = DOWNLOADS + "2041";
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(path)).atPriority(2)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"z1\"")
                        .withHeader("Content-Disposition", "attachment; filename=rain-2041.zip").withBody(zip)));
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(path)).atPriority(1)
                .withHeader("If-None-Match", WireMock.equalTo("\"z1\"")).willReturn(WireMock.aResponse().withStatus(304)));

        // the members, each under the source's prefix and period, each catalogued and told
        RestAssured.given().post("/sources/test-kaggle/runs?period=2041").then().statusCode(200)
                .body("status", equalTo("fetched")).body("objectsStored", equalTo(2));
        assertArrayEquals(readings, landing.object("test-kaggle/2041/rain/readings.csv"));
        assertArrayEquals(readme, landing.object("test-kaggle/2041/README.txt"));
        List<Map<String, Object>> catalogued = landing.rows(
                "select storage_key, bytes, version, upstream_key from catalog where source = 'test-kaggle' order by storage_key");
        assertEquals(List.of("test-kaggle/2041/README.txt", "test-kaggle/2041/rain/readings.csv"),
                catalogued.stream().map(r -> r.get("storage_key")).toList());
        assertEquals((long) readings.length, ((Number) catalogued.get(1).get("bytes")).longValue());
        assertTrue(String.valueOf(catalogued.get(1).get("upstream_key")).endsWith(path + "!/rain/readings.csv"));
        assertEquals(List.of("object.stored", "object.stored"), events.told.stream().map(Map.Entry::getKey).toList());
        assertEquals(List.of("test-kaggle/2041/rain/readings.csv", "test-kaggle/2041/README.txt").stream().sorted().toList(),
                events.told.stream().map(e -> String.valueOf(e.getValue().get("storedAs"))).sorted().toList());
        // the zip itself is not kept
        assertEquals(0, keys("test-kaggle/2041/rain-2041").size());

        // unchanged: one 304, nothing stored again, the period told as unchanged
        events.told.clear();
        RestAssured.given().post("/sources/test-kaggle/runs?period=2041").then().statusCode(200).body("status", equalTo("not_modified"));
        assertEquals(List.of(1, 1), landing.rows("select version from catalog where source = 'test-kaggle' order by storage_key")
                .stream().map(r -> ((Number) r.get("version")).intValue()).toList());
        assertEquals(List.of("period.unchanged"), events.told.stream().map(Map.Entry::getKey).toList());

        // forced: no validators sent, the members stored and told again, the run marked forced
        events.told.clear();
        RestAssured.given().post("/sources/test-kaggle/runs?period=2041&force=true").then().statusCode(200)
                .body("status", equalTo("fetched")).body("forced", equalTo(true)).body("objectsStored", equalTo(2));
        SluiceTestResources.upstream.verify(2, getRequestedFor(urlEqualTo(path)).withoutHeader("If-None-Match"));
        SluiceTestResources.upstream.verify(1, getRequestedFor(urlEqualTo(path)).withHeader("If-None-Match", WireMock.equalTo("\"z1\"")));
        assertEquals(List.of("object.stored", "object.stored"), events.told.stream().map(Map.Entry::getKey).toList());
        assertEquals(1, landing.count("select count(*) from ingest_run where source = 'test-kaggle' and subject = '2041'"
                                      + " and outcome = 'stored' and summary->>'trigger' = 'forced'"));

        // every request carried the basic-auth header; neither the key nor the header is in any log line
        String authorization = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + KEY).getBytes(StandardCharsets.UTF_8));
        SluiceTestResources.upstream.verify(3, getRequestedFor(urlEqualTo(path)).withHeader("Authorization", WireMock.equalTo(authorization)));
        assertFalse(logged.isEmpty(), "logs were captured");
        assertTrue(logged.stream().anyMatch(l -> l.contains("test-kaggle")), "the runs were logged");
        assertTrue(logged.stream().noneMatch(l -> l.contains(KEY) || l.contains(authorization.substring(6))),
                logged.stream().filter(l -> l.contains(KEY)).findFirst().orElse(""));
    }

    @Test
    void withoutTheHttpPeriodRouteAZipShouldBeStoredByTheSameStepsInJava() throws Exception {
        // as where routes/sources-api.camel.yaml is deployed alone: no direct:http-period to send to
        byte[] data = "gauge_id\nK-3\n".getBytes(StandardCharsets.UTF_8);
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(DOWNLOADS + "2044")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"j1\"").withBody(zip(Map.of("gauges/k3.csv", data)))));
        camel.getRouteController().stopRoute("http-period");
        try {
            RestAssured.given().post("/sources/test-kaggle/runs?period=2044").then().statusCode(200)
                    .body("status", equalTo("fetched")).body("objectsStored", equalTo(1));
        } finally {
            camel.getRouteController().startRoute("http-period");
        }
        assertArrayEquals(data, landing.object("test-kaggle/2044/gauges/k3.csv"));
        assertEquals(1, landing.count("select count(*) from catalog where storage_key = 'test-kaggle/2044/gauges/k3.csv'"));
    }

    @Test
    void aDatasetNotPublishedShouldBeRecordedAsNotAvailableAndStoreNothing() throws Exception {
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(DOWNLOADS + "2042")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(404)));
        RestAssured.given().post("/sources/test-kaggle/runs?period=2042").then().statusCode(200)
                .body("status", equalTo("not_available")).body("requests", equalTo(1));
        assertEquals("not_available", landing.rows("select status from http_resource where source = 'test-kaggle' and period = '2042'")
                .get(0).get("status"));
        assertEquals(0, landing.count("select count(*) from catalog where source = 'test-kaggle' and storage_key like 'test-kaggle/2042/%'"));
        assertEquals(List.of(), keys("test-kaggle/2042/"));
    }

    @Test
    void aZipBombShouldBeRefusedBeforeAnythingIsStored() throws Exception {
        // 4 MiB of zeros deflate to a few KB: a thousand to one, past the 200 to 1 allowed
        byte[] bomb = zip(Map.of("a.csv", "gauge_id\nK-2\n".getBytes(StandardCharsets.UTF_8), "zeros.bin", new byte[4 << 20]));
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(DOWNLOADS + "2043")).atPriority(1)
                .willReturn(WireMock.aResponse().withStatus(200).withBody(bomb)));
        String error = RestAssured.given().post("/sources/test-kaggle/runs?period=2043").then().statusCode(200)
                .body("status", equalTo("failed")).extract().path("error");
        assertTrue(error.contains("zeros.bin") && error.contains("zip bomb"), error);
        assertEquals(List.of(), keys("test-kaggle/2043/"));
        assertEquals(1, landing.count("select count(*) from ingest_run where source = 'test-kaggle' and subject = '2043' and outcome = 'rejected'"));
    }

    @Test
    void aForcedReimportShouldRefetchUnconditionallyAndReloadTheRows() throws Exception {
        HttpSourceTest.EventRecorder events = new HttpSourceTest.EventRecorder();
        QuarkusMock.installMockForType(events, dev.sluice.events.PipelineEvents.class);
        String path = "/district/force/wy2047.csv";
        String v1 = "gauge_id,observed_at,rainfall_in\nFORCE-1,2046-10-01 00:00,0.10\nFORCE-1,2046-10-01 00:15,0.20\n";
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(path)).atPriority(2)
                .willReturn(WireMock.aResponse().withStatus(200).withHeader("ETag", "\"f1\"").withBody(v1)));
        SluiceTestResources.upstream.stubFor(WireMock.get(urlEqualTo(path)).atPriority(1)
                .withHeader("If-None-Match", WireMock.equalTo("\"f1\"")).willReturn(WireMock.aResponse().withStatus(304)));
        RestAssured.given().post("/sources/test-rain-force/runs?period=2047").then().statusCode(200)
                .body("status", equalTo("fetched")).body("rowsLoaded", equalTo(2));

        // a row edited in the table (a data-quality correction gone wrong); upstream unchanged: a usual run does nothing
        landing.rows("update rain_readings set rainfall_in = 9.99 where gauge_id = 'FORCE-1' returning 1");
        RestAssured.given().post("/sources/test-rain-force/runs?period=2047").then().statusCode(200).body("status", equalTo("not_modified"));
        assertEquals(2, landing.count("select count(*) from rain_readings where gauge_id = 'FORCE-1' and rainfall_in = 9.99"));

        // forced: the GET goes without validators, the same content is loaded again, the run says forced
        events.told.clear();
        RestAssured.given().post("/sources/test-rain-force/runs?period=2047&force=true").then().statusCode(200)
                .body("status", equalTo("fetched")).body("rowsLoaded", equalTo(2)).body("forced", equalTo(true));
        SluiceTestResources.upstream.verify(1, getRequestedFor(urlEqualTo(path)).withHeader("If-None-Match", WireMock.equalTo("\"f1\"")));
        SluiceTestResources.upstream.verify(2, getRequestedFor(urlEqualTo(path)).withoutHeader("If-None-Match").withoutHeader("If-Modified-Since"));
        assertEquals(List.of(new BigDecimal("0.100"), new BigDecimal("0.200")),
                landing.rows("select rainfall_in from rain_readings where gauge_id = 'FORCE-1' order by observed_at")
                        .stream().map(r -> r.get("rainfall_in")).toList());
        assertEquals(1, landing.count("select count(*) from ingest_run where source = 'test-rain-force' and subject = 'wy2047.csv'"
                                      + " and outcome = 'loaded' and summary->>'trigger' = 'forced'"));
        assertEquals(List.of("period.fetched"), events.told.stream().map(Map.Entry::getKey).toList());
        assertEquals(2L, ((Number) events.told.get(0).getValue().get("rows")).longValue());

        // force is true or false, and only for HTTP sources
        RestAssured.given().post("/sources/test-rain-force/runs?period=2047&force=yes").then().statusCode(400);
        RestAssured.given().post("/sources/test-mrms/runs?force=true").then().statusCode(400);
    }

    private List<String> keys(String prefix) {
        try (var s3 = landing.s3()) {
            String bucket = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("sluice.bucket", String.class);
            List<String> keys = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().forEach(o -> keys.add(o.key()));
            return keys;
        }
    }

    private static byte[] zip(Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> member : new java.util.TreeMap<>(members).entrySet()) {
                zip.putNextEntry(new ZipEntry(member.getKey()));
                zip.write(member.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
