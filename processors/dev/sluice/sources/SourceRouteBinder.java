package dev.sluice.sources;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.spi.CamelEvent;
import org.jboss.logging.Logger;

import java.util.Map;

/**
 * Gives every enabled HTTP source its scheduled routes, made from the http-ingest route template
 * (ingest-&lt;source&gt;-&lt;n&gt; per schedule): adding one is adding its YAML file. A bucket source
 * needs none: its route file is its route. Where the template is not loaded (its route file is
 * deployed elsewhere, or not at all) nothing is scheduled here.
 */
@ApplicationScoped
public class SourceRouteBinder {

    private static final Logger LOG = Logger.getLogger(SourceRouteBinder.class);

    @Inject
    Sources sources;

    void bind(@Observes CamelEvent.CamelContextStartedEvent started) throws Exception {
        CamelContext camel = started.getContext();
        Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
        java.util.Set<SourceKind> unscheduled = java.util.EnumSet.noneOf(SourceKind.class);
        for (Source source : sources.enabled()) {
            String template = source.kind().template();
            if (template == null) {
                // declared by its route file, which is its route
                continue;
            }
            if (model.getRouteTemplateDefinition(template) == null) {
                if (unscheduled.add(source.kind())) {
                    LOG.infof("No route template %s loaded: %s sources are not scheduled here", template, source.kind().type());
                }
                continue;
            }
            for (Map.Entry<String, Map<String, Object>> route : sources.driver(source).routes(source).entrySet()) {
                if (camel.getRoute(route.getKey()) == null) {
                    TemplatedRouteBuilder.builder(camel, template).routeId(route.getKey()).parameters(route.getValue()).add();
                    LOG.infof("Scheduled %s (%s): %s", route.getKey(), route.getValue().get("schedule"), source.description());
                }
            }
        }
    }
}
