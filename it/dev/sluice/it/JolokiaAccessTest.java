package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jolokia lets the console read Sluice and start or stop a route, nothing more: no sendBody (which
 * wrote a file as root), no endpoints made, no routes added or removed, no attribute writes, no
 * operation over GET (a link could stop a route), no request from another origin. The proxy at
 * /hawtio/jolokia refuses those before forwarding (403), and the agent refuses them again when
 * asked directly on its loopback port; a reader may only read.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class JolokiaAccessTest {

    private static final String CONTEXT = "org.apache.camel:context=sluice,type=context,name=\\\"sluice\\\"";
    private static final String ROUTE = "org.apache.camel:context=sluice,type=routes,name=\\\"list-dead-letters\\\"";
    private static final Path MARKER = Path.of("target/jolokia-marker").toAbsolutePath();

    private static String agent() {
        return "http://127.0.0.1:" + ConfigProvider.getConfig().getValue("quarkus.camel.jolokia.server.port", Integer.class) + "/jolokia/";
    }

    private static String exec(String mbean, String operation, String arguments) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\",\"arguments\":" + arguments + "}";
    }

    private static String routeState() {
        return ApiCredentials.operator().contentType(ContentType.JSON)
                .body("{\"type\":\"read\",\"mbean\":\"" + ROUTE + "\",\"attribute\":\"State\"}")
                .post("/hawtio/jolokia/").then().statusCode(200).extract().path("value");
    }

    /** Operations that send, make endpoints, change routes or write: refused to everyone, whichever way they come. */
    private static final List<String> DENIED = List.of(
            exec(CONTEXT, "sendBody(java.lang.String,java.lang.Object)", "[\"file:" + MARKER.getParent() + "?fileName=jolokia-marker\",\"pwned\"]"),
            exec(CONTEXT, "sendBody", "[\"file:" + MARKER.getParent() + "?fileName=jolokia-marker\",\"pwned\"]"),
            exec(CONTEXT, "requestBody(java.lang.String,java.lang.Object)", "[\"file:" + MARKER.getParent() + "?fileName=jolokia-marker\",\"pwned\"]"),
            exec(CONTEXT, "createEndpoint(java.lang.String)", "[\"file:" + MARKER.getParent() + "?fileName=jolokia-marker\"]"),
            exec(CONTEXT, "canSendToEndpoint(java.lang.String)", "[\"file:" + MARKER.getParent() + "?fileName=jolokia-marker\"]"),
            exec(CONTEXT, "addOrUpdateRoutesFromXml(java.lang.String)", "[\"<routes/>\"]"),
            exec(CONTEXT, "stop()", "[]"),
            exec(ROUTE, "remove()", "[]"),
            exec(ROUTE, "updateRouteFromXml(java.lang.String)", "[\"<route/>\"]"),
            exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap", "[\"" + MARKER + ".hprof\",true]"),
            "{\"type\":\"write\",\"mbean\":\"" + ROUTE + "\",\"attribute\":\"Tracing\",\"value\":true}",
            "{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}",
            "{\"type\":\"EXEC\",\"mbean\":\"" + CONTEXT + "\",\"operation\":\"sendBody\",\"arguments\":[\"log:x\",\"x\"]}");

    @Test
    void whatWritesOrMakesEndpointsShouldBeRefusedByTheProxyAndByTheAgent() throws Exception {
        Files.deleteIfExists(MARKER);
        for (String request : DENIED) {
            ApiCredentials.operator().contentType(ContentType.JSON).body(request).post("/hawtio/jolokia/").then()
                    .statusCode(403).body("message", containsString("Jolokia request refused"));
            // in a bulk request, behind a harmless read
            ApiCredentials.operator().contentType(ContentType.JSON)
                    .body("[{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}," + request + "]")
                    .post("/hawtio/jolokia/").then().statusCode(403);
            // straight to the agent on its loopback port, with the console credentials: its restrictor says no
            String direct = ApiCredentials.operator().contentType(ContentType.JSON).body(request).post(agent()).then()
                    .statusCode(200).extract().asString();
            assertTrue(direct.contains("\"status\":403") || direct.contains("\"status\":404"), request + " → " + direct);
        }
        // Jackson and Jolokia might read a repeated key differently: refused
        ApiCredentials.operator().contentType(ContentType.JSON)
                .body("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"type\":\"exec\",\"operation\":\"gc\"}")
                .post("/hawtio/jolokia/").then().statusCode(403);
        assertFalse(Files.exists(MARKER), "a Jolokia request wrote " + MARKER);
        assertFalse(Files.exists(Path.of(MARKER + ".hprof")));
        assertEquals("Started", routeState());
    }

    @Test
    void anOperationOverGetShouldNeverRun() {
        String stop = "exec/org.apache.camel:context=sluice,type=routes,name=%22list-dead-letters%22/stop()";
        ApiCredentials.operator().urlEncodingEnabled(false).get("/hawtio/jolokia/" + stop).then().statusCode(403);
        ApiCredentials.operator().urlEncodingEnabled(false).get("/hawtio/jolokia/?p=/" + stop).then().statusCode(403);
        ApiCredentials.operator().urlEncodingEnabled(false).get("/hawtio/jolokia/EXEC/org.apache.camel:context=sluice,type=routes,name=%22list-dead-letters%22/stop")
                .then().statusCode(403);
        // the agent itself refuses it too (Jolokia answers errors inside a 200)
        String direct = ApiCredentials.operator().urlEncodingEnabled(false).get(agent() + stop).then().extract().asString();
        assertTrue(direct.contains("\"status\":403"), direct);
        assertEquals("Started", routeState());
        // reads over GET are fine
        ApiCredentials.operator().get("/hawtio/jolokia/read/java.lang:type=Memory/HeapMemoryUsage").then().statusCode(200).body("status", equalTo(200));
        ApiCredentials.operator().get("/hawtio/jolokia/version").then().statusCode(200).body("status", equalTo(200));
    }

    @Test
    void theConsoleUserShouldReadAndStartAndStopRoutesAndTheReaderOnlyRead() {
        RequestSpecification operator = ApiCredentials.operator().contentType(ContentType.JSON);
        operator.body("[{\"type\":\"read\",\"mbean\":\"" + ROUTE + "\",\"attribute\":\"State\"},{\"type\":\"version\"},"
                        + "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,*\"},"
                        + "{\"type\":\"list\",\"path\":\"java.lang/type=Memory\"},"
                        + exec(CONTEXT, "dumpRoutesAsXml()", "[]") + "," + exec(ROUTE, "dumpRouteStatsAsXml(boolean,boolean)", "[false,false]") + "]")
                .post("/hawtio/jolokia/").then().statusCode(200).body("status", equalTo(List.of(200, 200, 200, 200, 200, 200)));
        try {
            ApiCredentials.operator().contentType(ContentType.JSON).body(exec(ROUTE, "stop()", "[]")).post("/hawtio/jolokia/")
                    .then().statusCode(200).body("status", equalTo(200));
            assertEquals("Stopped", routeState());
        } finally {
            ApiCredentials.operator().contentType(ContentType.JSON).body(exec(ROUTE, "start()", "[]")).post("/hawtio/jolokia/")
                    .then().statusCode(200).body("status", equalTo(200));
        }
        assertEquals("Started", routeState());

        // the reader: reads, through the proxy only (the agent wants the console user)
        ApiCredentials.reader().contentType(ContentType.JSON)
                .body("[{\"type\":\"read\",\"mbean\":\"" + ROUTE + "\",\"attribute\":\"State\"}," + exec(CONTEXT, "dumpRoutesAsXml()", "[]") + "]")
                .post("/hawtio/jolokia/").then().statusCode(200).body("status", equalTo(List.of(200, 200)));
        ApiCredentials.reader().get("/hawtio/jolokia/read/java.lang:type=Memory/HeapMemoryUsage").then().statusCode(200);
        for (String operation : List.of("stop()", "suspend()", "start()", "resume()")) {
            ApiCredentials.reader().contentType(ContentType.JSON).body(exec(ROUTE, operation, "[]")).post("/hawtio/jolokia/")
                    .then().statusCode(403).body("message", containsString("may only read"));
        }
        ApiCredentials.reader().contentType(ContentType.JSON).body(DENIED.get(0)).post("/hawtio/jolokia/").then().statusCode(403);
        ApiCredentials.reader().contentType(ContentType.JSON).body("{\"type\":\"version\"}").post(agent()).then().statusCode(401);
        assertEquals("Started", routeState());
    }

    @Test
    void anotherOriginShouldGetNothingFromJolokia() {
        String read = "{\"type\":\"read\",\"mbean\":\"" + ROUTE + "\",\"attribute\":\"State\"}";
        String stop = exec(ROUTE, "stop()", "[]");
        for (String body : List.of(read, stop)) {
            // a page on another site, in the logged-in operator's browser
            ApiCredentials.raw(ApiCredentials.operator().header("Origin", "https://evil.example"), "text/json", body)
                    .post("/hawtio/jolokia/").then().statusCode(403);
            ApiCredentials.raw(ApiCredentials.operator().header("Sec-Fetch-Site", "cross-site"), "text/json", body)
                    .post("/hawtio/jolokia/").then().statusCode(403);
            ApiCredentials.raw(ApiCredentials.operator().header("Origin", "https://evil.example"), "text/plain", body)
                    .post("/hawtio/jolokia/").then().statusCode(403);
            // the agent checks the origin strictly as well (Jolokia answers errors inside a 200)
            String direct = ApiCredentials.operator().header("Origin", "https://evil.example").contentType(ContentType.JSON).body(body)
                    .post(agent()).then().extract().asString();
            assertTrue(direct.contains("\"status\":403") && direct.contains("not allowed"), direct);
        }
        ApiCredentials.operator().header("Origin", "https://evil.example").get("/hawtio/jolokia/read/java.lang:type=Memory/HeapMemoryUsage")
                .then().statusCode(403);
        // a form cannot send what Jolokia reads
        ApiCredentials.raw(ApiCredentials.operator(), "text/plain", read).post("/hawtio/jolokia/").then().statusCode(415);
        assertEquals("Started", routeState());
        // the console's own pages: the Origin is passed on and the agent serves it (Hawtio sends text/json)
        String self = "http://127.0.0.1:" + RestAssured.port;
        ApiCredentials.raw(ApiCredentials.operator().header("Origin", self).header("Sec-Fetch-Site", "same-origin"), "text/json", read)
                .post("/hawtio/jolokia/").then().statusCode(200).body("value", equalTo("Started"));
    }
}
