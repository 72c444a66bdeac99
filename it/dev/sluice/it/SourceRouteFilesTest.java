package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user adds a bucket source by dropping its route file into the routes directory while Sluice runs:
 * it polls; an edit of its schedule applies; a broken edit is refused and the previous version keeps
 * polling; deleting the file stops it.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class SourceRouteFilesTest {

    private static final String SOURCE = "dropped-in";

    @Inject
    CamelContext camel;
    @Inject
    Landing landing;
    @ConfigProperty(name = "sluice.routes.dir")
    Path routes;

    @Test
    void aSourceFileDroppedInShouldPollAndFollowItsEditsUntilItIsDeleted() throws Exception {
        String day = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        Upstream.put("dropped-upstream", "day/" + day + "/obj-1.bin", Upstream.random(2000, 7));
        Map<String, String> every2s = Map.of("bucket", "dropped-upstream", "schedule", "0/2 * * * * ?", "period", "1d",
                "keys", "day/{yyyy}{mm}{dd}/obj-*.bin", "retention", "1d");

        // add: the file alone makes the source, and it polls
        long dropped = System.nanoTime();
        Path file = BucketSourceFiles.write(routes, SOURCE, every2s);
        await().atMost(30, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS).until(() -> camel.getRoute(SOURCE + "-poll") != null);
        Duration toRunning = Duration.ofNanos(System.nanoTime() - dropped);
        System.out.printf("SourceRouteFilesTest: a dropped-in source file ran its route %d ms after it was written%n", toRunning.toMillis());
        await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> landing.count("select count(*) from catalog where source = ?", SOURCE) == 1);
        RestAssured.given().get("/sources").then().statusCode(200);
        assertEquals("0/2 * * * * ?", schedule());
        // Hawtio lists it within 10 s: its routes are Camel routes like any other
        assertTrue(toRunning.toSeconds() < 10, "route running " + toRunning.toMillis() + " ms after the file was dropped");

        // change the schedule: applied, and it still polls (a second object is stored)
        Files.writeString(file, BucketSourceFiles.routeFile(SOURCE, with(every2s, "schedule", "0/3 * * * * ?")));
        await().atMost(20, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> "0/3 * * * * ?".equals(schedule()));
        Upstream.put("dropped-upstream", "day/" + day + "/obj-2.bin", Upstream.random(2000, 8));
        await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> landing.count("select count(*) from catalog where source = ?", SOURCE) == 2);

        // a broken edit (a look-back that is no duration): refused, the previous version keeps polling
        Files.writeString(file, BucketSourceFiles.routeFile(SOURCE, with(with(every2s, "schedule", "0/3 * * * * ?"), "lookBack", "a while")));
        await().atMost(20, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> RestAssured.given().get("/q/health/ready").then().extract().asString().contains(SOURCE + ".camel.yaml"));
        assertEquals("0/3 * * * * ?", schedule());
        Upstream.put("dropped-upstream", "day/" + day + "/obj-3.bin", Upstream.random(2000, 9));
        await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> landing.count("select count(*) from catalog where source = ?", SOURCE) == 3);

        // delete: its routes stop, the source is gone, and nothing more is stored
        Files.delete(file);
        await().atMost(20, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                .until(() -> camel.getRoute(SOURCE + "-poll") == null && camel.getRoute("ingest-" + SOURCE) == null);
        RestAssured.given().post("/sources/" + SOURCE + "/runs").then().statusCode(404);
        Upstream.put("dropped-upstream", "day/" + day + "/obj-4.bin", Upstream.random(2000, 10));
        Thread.sleep(5000);
        assertEquals(3, landing.count("select count(*) from catalog where source = ?", SOURCE), "no poll after the file was deleted");
        assertEquals(0, landing.count("select count(*) from source_declaration where name = ?", SOURCE));
    }

    /** The source's schedule as GET /sources reports it, or null when it is not listed. */
    private static String schedule() {
        List<Map<String, Object>> sources = RestAssured.given().get("/sources").then().statusCode(200).extract().jsonPath().getList("$");
        return sources.stream().filter(s -> SOURCE.equals(s.get("name"))).map(s -> String.valueOf(s.get("schedule"))).findFirst().orElse(null);
    }

    private static Map<String, String> with(Map<String, String> parameters, String key, String value) {
        Map<String, String> changed = new java.util.HashMap<>(parameters);
        changed.put(key, value);
        return changed;
    }
}
