package dev.sluice.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * The error handling of every Sluice API, in one place: a failed request is answered with its status
 * and a JSON {status, message} ({@link ApiErrors}) instead of Camel's 500 and stack trace.
 *
 * <p>A route configuration without an id, so Camel applies it to every route of whichever
 * integration the processors jar is in; it acts only on routes the REST DSL made (each verb with the
 * route it inlines). So a route file declares nothing to get it, and the pipelines keep their own
 * error handling. (REST verbs cannot name a routeConfigurationId, and a per-file reference would be
 * one more thing to copy.) The JSON body is written without camel-jackson's data format, which
 * integrations without a REST API do not carry.
 *
 * <p>Not yet on Camel K: its builder sets quarkus.camel.routes-discovery.enabled=false, and then
 * Camel Quarkus adds no RoutesBuilder bean of the processors jar (OutageRouteConfiguration neither);
 * a REST file deployed alone answers a failed request with Camel's 500 until this configuration is
 * added another way there (checked by hand with CamelKBuildIT: GET /datasets/987654321 gave 500).
 */
@ApplicationScoped
public class ApiRouteConfiguration extends RouteConfigurationBuilder {

    @Inject
    ApiErrors errors;

    @Override
    public void configuration() {
        routeConfiguration()
                .onException(Exception.class)
                .onWhen(ApiRouteConfiguration::isApiRequest)
                .handled(true)
                .process(errors::answer);
    }

    /** Whether the exchange is a request that came in through the REST DSL. */
    static boolean isApiRequest(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
        return route != null && route.isCreatedByRestDsl();
    }
}
