package dev.sluice.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.quarkus.main.events.BeforeConfigure;

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
 * <p>Added when Camel Main is about to configure the context (before it loads the route files), not
 * as a RoutesBuilder bean: Camel K's builder sets quarkus.camel.routes-discovery.enabled=false, and
 * then Camel Quarkus adds no RoutesBuilder bean, so a REST file deployed alone answered a failed
 * request with Camel's 500. Not being a RoutesBuilder, it is also not discovered a second time in the
 * app, where discovery is on. (CamelKBuildIT checks GET /catalog/987654321 → JSON 404 on Camel K.)
 */
@ApplicationScoped
public class ApiRouteConfiguration {

    @Inject
    ApiErrors errors;

    void addTo(@Observes BeforeConfigure event) throws Exception {
        event.getCamelContext().addRoutesConfigurations(new RouteConfigurationBuilder() {
            @Override
            public void configuration() {
                RouteConfigurationDefinition api = routeConfiguration();
                api.onException(Exception.class)
                        .onWhen(ApiRouteConfiguration::isApiRequest)
                        .handled(true)
                        .process(errors::answer);
                // a query parameter becomes a header, and the headers are written back into the
                // response: one whose name HTTP cannot carry (`a;b`) made Vert.x fail the answer
                // with a bare 500 after the route had done its work
                api.interceptFrom().when(ApiRouteConfiguration::isApiRequest)
                        .process(ApiRouteConfiguration::dropHeadersHttpCannotCarry);
            }
        });
    }

    static void dropHeadersHttpCannotCarry(Exchange exchange) {
        exchange.getMessage().getHeaders().keySet().removeIf(name -> !isToken(name));
    }

    /** RFC 9110 token: what a header field name may be. */
    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c < 127 && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the exchange is a request that came in through the REST DSL. */
    static boolean isApiRequest(Exchange exchange) {
        String routeId = exchange.getFromRouteId();
        Route route = routeId == null ? null : exchange.getContext().getRoute(routeId);
        return route != null && route.isCreatedByRestDsl();
    }
}
