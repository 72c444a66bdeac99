package dev.sluice.outage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.quarkus.main.events.BeforeConfigure;

import java.util.List;

/**
 * A route configuration without an id, so Camel applies it to every route: when a background route
 * (a timer, cron, file or seda consumer) fails because PostgreSQL cannot be reached, the failure is handled
 * quietly and reported to {@link DatabaseOutage}, which logs the outage once — instead of Camel's
 * error handler and the consumer each logging a stack trace on every run. The next run tries again.
 * Failures of any other kind, and requests to the HTTP API (which answer with an error), are left
 * to the routes' own error handling.
 *
 * <p>Added when Camel Main is about to configure the context (before it loads the route files), not
 * as a RoutesBuilder bean, so that it applies on Camel K too, whose builder turns Camel Quarkus'
 * routes discovery (and with it RoutesBuilder beans) off; and is added once in the app, where
 * discovery is on (see ApiRouteConfiguration).
 */
@ApplicationScoped
public class OutageRouteConfiguration {

    // seda: work handed off to run in the background (the backfill worker of seda:backfills), no caller waits for it
    private static final List<String> BACKGROUND = List.of("timer:", "cron:", "quartz:", "scheduler:", "file:", "seda:");

    @Inject
    DatabaseOutage database;

    void addTo(@Observes BeforeConfigure event) throws Exception {
        event.getCamelContext().addRoutesConfigurations(new RouteConfigurationBuilder() {
            @Override
            public void configuration() {
                routeConfiguration()
                        .onException(Exception.class)
                        .onWhen(exchange -> isBackground(exchange) && DatabaseOutage.isDatabaseFailure(exchange.getException()))
                        .handled(true)
                        .process(exchange -> database.report(exchange));
            }
        });
    }

    static boolean isBackground(Exchange exchange) {
        Endpoint from = exchange.getFromEndpoint();
        if (from == null) {
            return false;
        }
        String uri = from.getEndpointUri();
        return BACKGROUND.stream().anyMatch(uri::startsWith);
    }
}
