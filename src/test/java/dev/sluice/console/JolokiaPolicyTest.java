package dev.sluice.console;

import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.sluice.console.JolokiaPolicy.Access.DENIED;
import static dev.sluice.console.JolokiaPolicy.Access.READ;
import static dev.sluice.console.JolokiaPolicy.Access.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class JolokiaPolicyTest {

    private static final String CONTEXT = "org.apache.camel:context=sluice,type=context,name=\\\"sluice\\\"";
    private static final String ROUTE = "org.apache.camel:context=sluice,type=routes,name=\\\"r\\\"";

    private static JolokiaPolicy.Access post(String json) {
        return JolokiaPolicy.post(json.getBytes(StandardCharsets.UTF_8)).access();
    }

    private static String exec(String mbean, String operation) {
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\"}";
    }

    @Test
    void readsAndReportingOperationsAreReads() throws Exception {
        assertEquals(READ, post("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\"}"));
        assertEquals(READ, post("{\"type\":\"version\"}"));
        assertEquals(READ, post("[{\"type\":\"list\"},{\"type\":\"search\",\"mbean\":\"org.apache.camel:*\"}]"));
        for (String operation : List.of("dumpRoutesAsXml()", "dumpRouteStatsAsXml(boolean,boolean)", "listRestServices", "browse()",
                "getDebugCounter", "isStarted", "list()")) {
            assertEquals(READ, post(exec(CONTEXT, operation)), operation);
        }
        assertEquals(READ, JolokiaPolicy.operation(new ObjectName("java.lang:type=Threading"), "dumpAllThreads(boolean,boolean)"));
    }

    @Test
    void routeControlIsAWriteAndOnlyOnRoutes() throws Exception {
        for (String operation : List.of("start", "stop()", "stop(long)", "suspend()", "resume()")) {
            assertEquals(WRITE, post(exec(ROUTE, operation)), operation);
            assertEquals(DENIED, post(exec(CONTEXT, operation)), "the whole context: " + operation);
        }
        assertEquals(DENIED, JolokiaPolicy.operation(new ObjectName("org.apache.camel:type=routes,*"), "stop"));
        assertEquals(WRITE, post("[{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\"}," + exec(ROUTE, "stop()") + "]"));
    }

    @Test
    void whatWritesSendsOrMakesEndpointsIsDenied() {
        for (String operation : List.of("sendBody(java.lang.String,java.lang.Object)", "sendBody", "requestBody", "sendStringBody",
                "createEndpoint(java.lang.String)", "canSendToEndpoint(java.lang.String)", "addOrUpdateRoutesFromXml(java.lang.String)",
                "removeRoute", "remove()", "updateRouteFromXml", "reset()", "gc", "restart", "isolate", "getter")) {
            assertEquals(DENIED, post(exec(CONTEXT, operation)), operation);
        }
        assertEquals(DENIED, post(exec("com.sun.management:type=HotSpotDiagnostic", "dumpHeap")));
        assertEquals(DENIED, post(exec("java.lang:type=Memory", "dumpHeap")));
        assertEquals(DENIED, post("{\"type\":\"write\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"Verbose\",\"value\":true}"));
        assertEquals(DENIED, post("{\"type\":\"notification\",\"command\":\"register\"}"));
        assertEquals(DENIED, post("{\"type\":\"EXEC\",\"mbean\":\"" + CONTEXT + "\",\"operation\":\"sendBody\"}"));
        assertEquals(DENIED, post("[{\"type\":\"read\"}," + exec(CONTEXT, "sendBody") + "]"));
        // no second reading of the same body: repeated keys, trailing content, no type, not JSON
        assertEquals(DENIED, post("{\"type\":\"read\",\"type\":\"exec\",\"mbean\":\"" + CONTEXT + "\",\"operation\":\"sendBody\"}"));
        assertEquals(DENIED, post("{\"type\":\"read\"} " + exec(CONTEXT, "sendBody")));
        assertEquals(DENIED, post("{\"mbean\":\"java.lang:type=Memory\"}"));
        assertEquals(DENIED, post("[]"));
        assertEquals(DENIED, post("type=read"));
        assertEquals(DENIED, post(exec("not an mbean name", "getX")));
    }

    @Test
    void overGetOnlyReadsListsSearchesAndVersions() {
        assertEquals(READ, JolokiaPolicy.get("/read/java.lang:type=Memory/HeapMemoryUsage", List.of()).access());
        assertEquals(READ, JolokiaPolicy.get("", List.of()).access());
        assertEquals(READ, JolokiaPolicy.get("/version", List.of()).access());
        assertEquals(DENIED, JolokiaPolicy.get("/exec/org.apache.camel:type=routes,name=\"r\"/stop()", List.of()).access());
        assertEquals(DENIED, JolokiaPolicy.get("//EXEC/x/dumpRoutesAsXml", List.of()).access());
        assertEquals(DENIED, JolokiaPolicy.get("/write/java.lang:type=Memory/Verbose/true", List.of()).access());
        assertEquals(DENIED, JolokiaPolicy.get("/", List.of("/exec/x/stop")).access());
        assertEquals(DENIED, JolokiaPolicy.get("/", List.of("/read/x", "/exec/x/stop")).access());
    }
}
