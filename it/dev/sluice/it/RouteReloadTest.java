package dev.sluice.it;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Route files are configuration: editing one while Sluice runs changes that file's routes only. */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class RouteReloadTest {

    @Inject
    CamelContext camel;
    @Inject
    Landing landing;
    @ConfigProperty(name = "sluice.routes.dir")
    Path routes;

    @Test
    void editingARouteFileShouldReloadItWhileTheOtherRoutesKeepRunning() throws Exception {
        // a second integration appears: dropping its file starts its route
        Path probe = routes.resolve("reload-probe.camel.yaml");
        Files.writeString(probe, route("reload-probe", "first"));
        await().atMost(30, TimeUnit.SECONDS).pollDelay(100, TimeUnit.MILLISECONDS)
                .until(() -> camel.getRoute("reload-probe") != null && camel.getRouteController().getRouteStatus("reload-probe").isStarted());
        Route landingRoute = camel.getRoute("landing-ingest");

        // editing it takes effect without a restart
        Files.writeString(probe, route("reload-probe", "second"));
        await().atMost(30, TimeUnit.SECONDS).pollDelay(100, TimeUnit.MILLISECONDS)
                .until(() -> camel.getRoute("reload-probe") != null && "second".equals(camel.getRoute("reload-probe").getDescription()));

        // and the landing route from the other file was neither removed nor restarted: it still loads files
        assertSame(landingRoute, camel.getRoute("landing-ingest"));
        assertEquals("Started", camel.getRouteController().getRouteStatus("landing-ingest").name());
        landing.drop("rain-after-reload.csv", "gauge_id,observed_at,rainfall_in\nROUTE-RELOAD-1,2024-06-01 00:00,0.5\n");
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> landing.count("select count(*) from rain_readings where gauge_id = 'ROUTE-RELOAD-1'") == 1);
    }

    private static String route(String id, String description) {
        return """
                - route:
                    id: "%s"
                    description: "%s"
                    from:
                      uri: "timer:%s?period=60000"
                      steps:
                        - log: "probe"
                """.formatted(id, description, id);
    }
}
