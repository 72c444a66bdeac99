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
        // (the refusal is reported before the previous version is loaded again)
        await().atMost(20, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> "0/3 * * * * ?".equals(schedule()));
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

    @Test
    void aStepAddedToASourceFileShouldApplyToScheduledPollsRunsAndBackfills() throws Exception {
        String name = "filtered-in";
        // one day for each way in: an on-demand run, a backfill, the schedule (today)
        String run = "20250301", backfill = "20250302";
        String today = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        for (String day : List.of(run, backfill, today)) {
            Upstream.put("filtered-upstream", "day/" + day + "/keep.bin", Upstream.random(1500, 21));
            Upstream.put("filtered-upstream", "day/" + day + "/skip-me.bin", Upstream.random(1500, 22));
        }
        String file = BucketSourceFiles.routeFile(name, Map.of("bucket", "filtered-upstream", "schedule", BucketSourceFiles.NEVER,
                "period", "1d", "keys", "day/{yyyy}{mm}{dd}/*.bin"));
        // the user's step: objects whose key says skip-me go no further than the source
        String filtered = file.replace("""
                      steps:
                        - kamelet:
                            name: "sluice-object-copy-action/filtered-in-copy"
                        - to: "kamelet:sluice-catalog-sink/filtered-in-catalogue"
                """, """
                      steps:
                        - filter:
                            simple: "${header.SluiceSubject} not contains 'skip-me'"
                            steps:
                              - kamelet:
                                  name: "sluice-object-copy-action/filtered-in-copy"
                              - to: "kamelet:sluice-catalog-sink/filtered-in-catalogue"
                """);
        assertTrue(!filtered.equals(file), "the step was added");
        Path path = routes.resolve(name + ".camel.yaml");
        Files.writeString(path, filtered);
        try {
            await().atMost(20, TimeUnit.SECONDS).pollInterval(100, TimeUnit.MILLISECONDS).until(() -> camel.getRoute(name + "-poll") != null
                    && camel.getRouteController().getRouteStatus(name + "-poll").isStarted());

            // an on-demand run
            RestAssured.given().post("/sources/" + name + "/runs?period=2025-03-01T00:00:00Z").then().statusCode(200);
            assertStored(name, run);
            // a backfill
            int id = RestAssured.given().contentType("application/json").body("{\"from\": \"2025-03-02\", \"to\": \"2025-03-02\"}")
                    .post("/sources/" + name + "/backfills").then().statusCode(201).extract().path("id");
            await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> "done".equals(RestAssured.given().get("/sources/" + name + "/backfills/" + id).then().extract().jsonPath().getString("status")));
            assertStored(name, backfill);
            // the schedule: the same file polling every 2 s
            Files.writeString(path, filtered.replace(BucketSourceFiles.NEVER, "0/2 * * * * ?"));
            await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from catalog where source = ? and upstream_key = ?", name, "day/" + today + "/keep.bin") == 1);
            Thread.sleep(3000);
            assertStored(name, today);
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /** The day's keep.bin is catalogued once, and its skip-me.bin, which the added filter drops, never. */
    private void assertStored(String source, String day) throws Exception {
        assertEquals(1, landing.count("select count(*) from catalog where source = ? and upstream_key = ?", source, "day/" + day + "/keep.bin"), day);
        assertEquals(0, landing.count("select count(*) from catalog where source = ? and upstream_key = ?", source, "day/" + day + "/skip-me.bin"),
                day + ": the filter added to the route file applies");
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
