package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator watching a pipeline in Hawtio sees its stages and how many items went through each:
 * one landing file and one bucket poll, then a real headless Chromium opens each pipeline's route
 * diagram in the console (screenshots in target/hawtio/&lt;route&gt;-diagram.png).
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class HawtioStagesTest {

    /**
     * A stage as the diagram draws it, and the number its node must show after one item. A node is
     * the stage when its ID (the "(ID: …)" line under the label: a step's `id:`) is {@code drawn},
     * or its label (Hawtio: the step's `id:` when it has one, else its kind and uri, such as
     * "To aws2-s3://…" or "Bean landingFileI…", clipped to 17 characters) starts with {@code drawn}.
     */
    record Stage(String drawn, int items) {
    }

    /** landing-ingest, for one file: admitted, matched, loaded, archived, moved out of the inbox, told. */
    static final List<Stage> LANDING_STAGES = List.of(
            new Stage("From file:", 1),
            new Stage("landing-admit", 1),
            new Stage("landing-match-dataset", 1),
            new Stage("landing-load", 1),
            new Stage("landing-archive", 1),
            new Stage("landing-move-to-done", 1),
            new Stage("landing-file-loaded-event", 1));

    /**
     * ingest-&lt;source&gt;, the source's route file, for the one object that poll stored: from the
     * source Kamelet, through the copy action Kamelet, to the catalog sink Kamelet.
     */
    static final List<Stage> BUCKET_STAGES = List.of(
            new Stage("From kamelet:slui", 1),
            new Stage("Kamelet", 1),
            new Stage("To kamelet:sluice", 1));

    /** &lt;source&gt;-poll, the sluice-bucket-source Kamelet's route: the cron fired once, listed, split, claimed, told. */
    static final List<Stage> BUCKET_POLL_STAGES = List.of(
            new Stage("From cron:", 1),
            new Stage("bucket-list", 1),
            new Stage("bucket-split", 1),
            new Stage("bucket-claim", 1),
            new Stage("bucket-object-stored", 1));

    /** A bucket source of the tests (TestSources) no other test polls. */
    private static final String SOURCE = "test-hawtio";
    private static final String BUCKET_ROUTE = "ingest-" + SOURCE;
    private static final String POLL_ROUTE = SOURCE + "-poll";
    private static final Duration DRAWN_WITHIN = Duration.ofSeconds(25);

    @Inject
    CamelContext camel;
    @Inject
    Landing landing;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "sluice.routes.dir")
    Path routes;

    /** The source's route file as the test resources wrote it (never scheduled), put back after the test. */
    private String original;

    @AfterEach
    void putTheSourceFileBack() throws Exception {
        if (original != null) {
            Files.writeString(routes.resolve(SOURCE + ".camel.yaml"), original);
        }
    }

    @Test
    void eachPipelinesDiagramShouldDrawItsStagesAndTheItemsTheyProcessed() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "the browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)");
        Path output = Files.createDirectories(Path.of("target/hawtio"));

        // the counters show what this test did, not what the tests before it did
        camel.getCamelContextExtension().getContextPlugin(ManagedCamelContext.class).getManagedRoute("landing-ingest").reset(true);
        // one bucket poll: the source's route file edited to poll once, 5 s from now (the edit reloads it, new counters)
        String day = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd"));
        Upstream.put("hawtio-upstream", "day/" + day + "/obj-stage.bin", Upstream.random(3000, 90));
        ZonedDateTime once = ZonedDateTime.now(ZoneId.systemDefault()).plusSeconds(5);
        Path sourceFile = routes.resolve(SOURCE + ".camel.yaml");
        original = Files.readString(sourceFile);
        Files.writeString(sourceFile, original.replace(BucketSourceFiles.NEVER, once.format(DateTimeFormatter.ofPattern("s m H d M '?' yyyy"))));
        // one landing file
        String file = "rain-hawtio-stages.csv";
        landing.drop(file, "gauge_id,observed_at,rainfall_in\nHAWTIO-1,2024-02-01 00:15,0.25\nHAWTIO-1,2024-02-01 00:30,0.5\n");

        await().atMost(30, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from file_ledger where identity = ? and status = 'archived'", file) > 0
                && !Files.exists(landing.inbox().resolve(file)));
        await().atMost(15, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from catalog where source = ?", SOURCE) == 1);

        // Hawtio 1.11.1 draws a diagram at full size from the top: a window tall enough for a pipeline's stages
        try (HeadlessChromium browser = HeadlessChromium.start(chromium, 1400, 2200)) {
            browser.authorize(SluiceTestResources.CONSOLE_USER, SluiceTestResources.CONSOLE_PASSWORD);
            assertDiagram(browser, "landing-ingest", LANDING_STAGES, output);
            assertDiagram(browser, BUCKET_ROUTE, BUCKET_STAGES, output);
            assertDiagram(browser, POLL_ROUTE, BUCKET_POLL_STAGES, output);
        }
    }

    /** Selects the route in the console's Camel tree, waits until every stage shows its items, keeps a screenshot. */
    private static void assertDiagram(HeadlessChromium browser, String route, List<Stage> stages, Path output) throws Exception {
        browser.navigate("http://127.0.0.1:%d/hawtio/camel/routeDiagram".formatted(RestAssured.port));
        JsonNode selected = browser.await(selectInTree(route), DRAWN_WITHIN);
        assertTrue(selected.asBoolean(), route + " is not in the console's Camel tree");
        JsonNode nodes = browser.await(drawnNodes(route), DRAWN_WITHIN);
        List<String> missing = missing(nodes, stages);
        for (long end = System.nanoTime() + DRAWN_WITHIN.toNanos(); !missing.isEmpty() && System.nanoTime() < end; ) {
            // the counters come from Jolokia every 2 s
            Thread.sleep(500);
            nodes = browser.evaluate(drawnNodes(route));
            missing = missing(nodes, stages);
        }
        Path screenshot = output.resolve(route + "-diagram.png");
        Files.write(screenshot, browser.screenshot());
        Files.writeString(output.resolve(route + "-diagram.json"), nodes.toPrettyString());
        assertTrue(missing.isEmpty(), route + ": " + missing + " not drawn; the diagram shows " + nodes + " (screenshot "
                                      + screenshot + ", page " + browser.evaluate("location.pathname + ': ' + document.body.innerText.slice(0, 2000)") + ")");
    }

    private static List<String> missing(JsonNode nodes, List<Stage> stages) {
        List<String> missing = new ArrayList<>();
        for (Stage stage : stages) {
            boolean drawn = false;
            if (nodes != null && nodes.isArray()) {
                for (JsonNode node : nodes) {
                    // a Kamelet's step ids are prefixed by the route made from it: <prefix>bucket-list
                    boolean isStage = node.path("id").asText().endsWith(stage.drawn()) || node.path("label").asText().startsWith(stage.drawn());
                    drawn |= isStage && node.path("count").asText().equals(String.valueOf(stage.items()));
                }
            }
            if (!drawn) {
                missing.add(stage.drawn() + " showing " + stage.items());
            }
        }
        return missing;
    }

    /** Clicks the route's entry in the Camel tree (the console then shows its Route Diagram tab). */
    private static String selectInTree(String route) {
        return """
                (() => {
                  const entry = [...document.querySelectorAll('#camel-tree-view .pf-v5-c-tree-view__node-text')]
                      .find(e => e.textContent.trim() === %s);
                  if (!entry) return false;
                  entry.closest('button').click();
                  return true;
                })()""".formatted(jsString(route));
    }

    /** The nodes of the diagram once it is the route's: label, ID and the counter each shows. */
    private static String drawnNodes(String route) {
        return """
                (() => {
                  const title = document.querySelector('#camel-content-header h1');
                  if (!title || title.textContent.trim() !== %s) return null;
                  const nodes = [...document.querySelectorAll('.camel-route-diagram .react-flow__node')].map(n => ({
                    label: (n.querySelector('.camel-node-label') || {}).textContent || '',
                    id: ((n.querySelector('.camel-node-id') || {}).textContent || '').replace(/^\\s*\\(ID:\\s*/, '').replace(/\\)\\s*$/, ''),
                    count: (n.querySelector('.number') || {}).textContent || ''
                  }));
                  return nodes.length ? nodes : null;
                })()""".formatted(jsString(route));
    }

    private static String jsString(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
