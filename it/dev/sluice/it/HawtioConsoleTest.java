package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators watch Sluice in Hawtio: a real headless Chromium opens the console with the console
 * credentials and sees the Sluice routes (screenshot in target/hawtio/). Jolokia is not open: no
 * answer without credentials, nothing from another host, and only Camel and JVM MBeans.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class HawtioConsoleTest {

    private static final String USER = SluiceTestResources.CONSOLE_USER;
    private static final String PASSWORD = SluiceTestResources.CONSOLE_PASSWORD;

    @Test
    void theConsoleInARealBrowserShouldListTheSluiceRoutes() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "the browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)");
        Path output = Files.createDirectories(Path.of("target/hawtio"));
        String url = "http://%s:%s@127.0.0.1:%d/hawtio/camel/routes".formatted(USER, PASSWORD, RestAssured.port);

        String dom = chromium(chromium, "--dump-dom", url);
        Files.writeString(output.resolve("routes.html"), dom);
        for (String route : List.of("landing-ingest", "retention-purge", "list-catalog", "run-source-now")) {
            assertTrue(dom.contains(route), route + " is not on the console's routes page (DOM in target/hawtio/routes.html)");
        }
        assertTrue(dom.contains("Started"), "route states are shown");

        Path screenshot = output.resolve("routes.png");
        Files.deleteIfExists(screenshot);
        chromium(chromium, "--screenshot=" + screenshot.toAbsolutePath(), url);
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the routes page is in " + screenshot);
    }

    @Test
    void theConsoleAndJolokiaShouldRefuseWhoeverHasNoCredentials() {
        ApiCredentials.anonymous().get("/hawtio/").then().statusCode(401).header("WWW-Authenticate", containsString("Basic"));
        ApiCredentials.anonymous().get("/hawtio/jolokia/").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/hawtio%2Findex.html").then().statusCode(401);
        ApiCredentials.anonymous().urlEncodingEnabled(false).get("/q%2Fmetrics").then().statusCode(401);
        RestAssured.given().auth().preemptive().basic(USER, "wrong").get("/hawtio/jolokia/").then().statusCode(401);
        // no Jolokia endpoint on the application port
        RestAssured.get("/q/jolokia").then().statusCode(404);
        // the agent itself wants the credentials too
        int jolokiaPort = ConfigProvider.getConfig().getValue("quarkus.camel.jolokia.server.port", Integer.class);
        ApiCredentials.anonymous().get("http://127.0.0.1:" + jolokiaPort + "/jolokia/").then().statusCode(401);
    }

    @Test
    void jolokiaShouldNotBeReachableFromAnotherHost() throws Exception {
        int jolokiaPort = ConfigProvider.getConfig().getValue("quarkus.camel.jolokia.server.port", Integer.class);
        List<InetAddress> external = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address).forEach(external::add);
            }
        }
        assertTrue(!external.isEmpty(), "this host has no non-loopback address to test from");
        for (InetAddress address : external) {
            assertThrows(IOException.class, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, jolokiaPort), 2000);
                }
            }, "Jolokia answers on " + address.getHostAddress() + ":" + jolokiaPort);
        }
    }

    @Test
    void jolokiaShouldServeCamelAndJvmMBeansOnly() {
        var console = RestAssured.given().auth().preemptive().basic(USER, PASSWORD).contentType(ContentType.JSON);
        console.body("{\"type\":\"read\",\"mbean\":\"org.apache.camel:context=sluice,type=routes,name=\\\"landing-ingest\\\"\",\"attribute\":\"State\"}")
                .post("/hawtio/jolokia/").then().statusCode(200).body("status", equalTo(200)).body("value", equalTo("Started"));
        RestAssured.given().auth().preemptive().basic(USER, PASSWORD).contentType(ContentType.JSON)
                .body("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"}")
                .post("/hawtio/jolokia/").then().statusCode(200).body("status", equalTo(200));
        String denied = RestAssured.given().auth().preemptive().basic(USER, PASSWORD).contentType(ContentType.JSON)
                .body("{\"type\":\"exec\",\"mbean\":\"com.sun.management:type=HotSpotDiagnostic\",\"operation\":\"dumpHeap\","
                        + "\"arguments\":[\"target/should-not-exist.hprof\",true]}")
                .post("/hawtio/jolokia/").then().extract().asString();
        assertTrue(denied.contains("\"status\":403"), denied);
        assertTrue(!Files.exists(Path.of("target/should-not-exist.hprof")));
    }

    private static String chromium(Path chromium, String action, String url) throws Exception {
        Path profile = Files.createTempDirectory("chromium-");
        try {
            Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--window-size=1400,900", "--virtual-time-budget=20000",
                    action, url)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(process.getInputStream().readAllBytes());
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
            assertEquals(0, process.exitValue(), "chromium failed");
            return out;
        } finally {
            TempDirs.delete(profile);
        }
    }
}
