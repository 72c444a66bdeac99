package dev.sluice.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * An operator's route edit that cannot be built (a typo in a bean name) is refused: the landing
 * pipeline keeps running its previous version and loads the files dropped meanwhile, and the refusal
 * shows as an ERROR naming the file, in routes_reload_failures_total and in readiness. Fixing the
 * file applies it; the other files' routes were never touched.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class RouteEditRefusedTest {

    @Inject
    CamelContext camel;
    @Inject
    Landing landing;
    @Inject
    MeterRegistry metrics;
    @ConfigProperty(name = "sluice.routes.dir")
    Path routes;

    @Test
    void aBrokenEditShouldBeRefusedWhileThePreviousVersionKeepsLoading() throws Exception {
        Path file = routes.resolve("landing-ingest.camel.yaml");
        String original = Files.readString(file);
        Route purge = camel.getRoute("retention-purge");
        double failuresBefore = failures();
        List<LogRecord> errors = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        org.jboss.logmanager.LogContext.getLogContext().getLogger("dev.sluice.routes").addHandler(capture);
        try {
            Files.writeString(file, original.replace("ref: landingFileIngester", "ref: landingFileIngestr"));
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() -> failures() > failuresBefore);

            // refused, visibly
            await().atMost(10, TimeUnit.SECONDS).until(() -> errors.stream().map(RouteEditRefusedTest::text)
                    .anyMatch(m -> m.contains("landing-ingest.camel.yaml") && m.contains("not applied") && m.contains("landingFileIngestr")));
            given().when().get("/q/health/ready").then().statusCode(503)
                    .body(containsString("route files"), containsString("landing-ingest.camel.yaml"), containsString("landingFileIngestr"));

            // the previous version runs and loads what is dropped meanwhile
            await().atMost(30, TimeUnit.SECONDS).until(() -> camel.getRoute("landing-ingest") != null
                    && camel.getRouteController().getRouteStatus("landing-ingest").isStarted());
            landing.drop("rain-during-bad-edit.csv", "gauge_id,observed_at,rainfall_in\nBADEDIT-1,2024-07-01 00:00,0.25\n");
            await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                    .until(() -> landing.count("select count(*) from rain_readings where gauge_id = 'BADEDIT-1'") == 1);
        } finally {
            Files.writeString(file, original);
            org.jboss.logmanager.LogContext.getLogContext().getLogger("dev.sluice.routes").removeHandler(capture);
        }
        // the fix is applied: ready again
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> given().when().get("/q/health/ready").statusCode() == 200);
        assertSame(purge, camel.getRoute("retention-purge"), "another file's route was neither removed nor restarted");
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> camel.getRouteController().getRouteStatus("landing-ingest") != null
                        && camel.getRouteController().getRouteStatus("landing-ingest").isStarted());
    }

    private static String text(LogRecord record) {
        return record instanceof org.jboss.logmanager.ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage());
    }

    private double failures() {
        var counter = metrics.find("routes.reload.failures").counter();
        return counter == null ? 0 : counter.count();
    }
}
