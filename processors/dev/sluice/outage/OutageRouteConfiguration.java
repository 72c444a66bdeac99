package dev.sluice.outage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;

import java.util.List;

/**
 * A route configuration without an id, so Camel applies it to every route: when a background route
 * (a timer, cron or file consumer) fails because PostgreSQL cannot be reached, the failure is handled
 * quietly and reported to {@link DatabaseOutage}, which logs the outage once — instead of Camel's
 * error handler and the consumer each logging a stack trace on every run. The next run tries again.
 * Failures of any other kind, and requests to the HTTP API (which answer with an error), are left
 * to the routes' own error handling.
 */
@ApplicationScoped
public class OutageRouteConfiguration extends RouteConfigurationBuilder {

    private static final List<String> BACKGROUND = List.of("timer:", "cron:", "quartz:", "scheduler:", "file:", "seda:");

    @Inject
    DatabaseOutage database;

    @Override
    public void configuration() {
        routeConfiguration()
                .onException(Exception.class)
                .onWhen(exchange -> isBackground(exchange) && DatabaseOutage.isDatabaseFailure(exchange.getException()))
                .handled(true)
                .process(exchange -> database.report(exchange));
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
