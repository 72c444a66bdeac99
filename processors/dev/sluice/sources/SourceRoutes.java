package dev.sluice.sources;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.kamelet.Kamelet;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.LifecycleStrategySupport;
import org.eclipse.microprofile.config.Config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A route file declares a source by starting at a source Kamelet (sluice-bucket-source): when Camel
 * adds that Kamelet's route, its parameters are bound into the source (checked: a mistake fails the
 * route, so a broken edit is refused and the file's previous version keeps running), and the source is
 * declared in {@link Sources}; when the route is removed because its file was deleted or edited, the
 * source is withdrawn. Camel hands every LifecycleStrategy bean of the registry to its context.
 */
@ApplicationScoped
@Named("sourceRoutes")
public class SourceRoutes extends LifecycleStrategySupport {

    @Inject
    Sources sources;
    @Inject
    Config config;

    @Override
    public void onRoutesAdd(Collection<Route> routes) {
        for (Route route : routes) {
            definition(route).ifPresent(d -> {
                Map<String, Object> parameters = parameters(d);
                SourceKind kind = SourceKind.ofKamelet(String.valueOf(parameters.get(Kamelet.PARAM_TEMPLATE_ID))).orElseThrow();
                Source source = kind.routeDeclaration().read(parameters, "route " + route.getRouteId(), config);
                sources.declare(source, parameters, route.getRouteId());
            });
        }
    }

    @Override
    public void onRoutesRemove(Collection<Route> routes) {
        for (Route route : routes) {
            CamelContext camel = route.getCamelContext();
            // at shutdown the routes go, but the sources stay declared (a Camel K pod restarting, a CronJob ending)
            if (!camel.isStopping() && !camel.isStopped()) {
                sources.withdraw(route.getRouteId());
            }
        }
    }

    /** The model of a route made from a source Kamelet. */
    private static Optional<RouteDefinition> definition(Route route) {
        if (!route.isCreatedByKamelet()) {
            return Optional.empty();
        }
        RouteDefinition definition = route.getCamelContext().getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinition(route.getRouteId());
        return Optional.ofNullable(definition).filter(d -> d.getTemplateParameters() != null
                && SourceKind.ofKamelet(String.valueOf(d.getTemplateParameters().get(Kamelet.PARAM_TEMPLATE_ID))).isPresent());
    }

    /** The Kamelet's defaults, then what the route file gave (Camel resolved its placeholders making the endpoint). */
    private static Map<String, Object> parameters(RouteDefinition definition) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (definition.getTemplateDefaultParameters() != null) {
            parameters.putAll(definition.getTemplateDefaultParameters());
        }
        parameters.putAll(definition.getTemplateParameters());
        return parameters;
    }
}
