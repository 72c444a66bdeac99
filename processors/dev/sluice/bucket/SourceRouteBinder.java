package dev.sluice.bucket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.spi.CamelEvent;
import org.jboss.logging.Logger;

/**
 * Gives every enabled bucket source its own scheduled route, ingest-&lt;source&gt;, from the
 * bucket-ingest route template: adding a source is adding its YAML file.
 */
@ApplicationScoped
public class SourceRouteBinder {

    private static final Logger LOG = Logger.getLogger(SourceRouteBinder.class);
    static final String TEMPLATE = "bucket-ingest";
    static final String HTTP_TEMPLATE = "http-ingest";

    /** HTTP sources get one route per schedule: ingest-&lt;source&gt;-&lt;n&gt;. */
    private void bindHttpSources(CamelContext camel) throws Exception {
        if (camel.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class).getRouteTemplateDefinition(HTTP_TEMPLATE) == null) {
            return;
        }
        for (dev.sluice.http.HttpSource source : httpSources.enabled()) {
            for (int i = 0; i < source.schedules().size(); i++) {
                dev.sluice.http.HttpSource.Schedule schedule = source.schedules().get(i);
                String routeId = "ingest-" + source.name() + "-" + (i + 1);
                if (camel.getRoute(routeId) == null) {
                    TemplatedRouteBuilder.builder(camel, HTTP_TEMPLATE)
                            .routeId(routeId)
                            .parameter("source", source.name())
                            .parameter("timer", source.name() + "-" + (i + 1))
                            .parameter("schedule", CronSchedules.toQuartz(schedule.cron()))
                            .parameter("periods", schedule.periods())
                            .add();
                    LOG.infof("Scheduled %s (%s, %s periods)", routeId, schedule.cron(), schedule.periods());
                }
            }
        }
    }

    @Inject
    BucketSources sources;
    @Inject
    dev.sluice.http.HttpSources httpSources;

    void bind(@Observes CamelEvent.CamelContextStartedEvent started) throws Exception {
        CamelContext camel = started.getContext();
        bindHttpSources(camel);
        if (camel.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class).getRouteTemplateDefinition(TEMPLATE) == null) {
            LOG.infof("No route template %s loaded: bucket sources are not scheduled", TEMPLATE);
            return;
        }
        for (BucketSource source : sources.enabled()) {
            String routeId = "ingest-" + source.name();
            if (camel.getRoute(routeId) == null) {
                TemplatedRouteBuilder.builder(camel, TEMPLATE)
                        .routeId(routeId)
                        .parameter("source", source.name())
                        .parameter("schedule", CronSchedules.toQuartz(source.schedule()))
                        .add();
                LOG.infof("Scheduled %s (%s): %s", routeId, source.schedule(), source.description());
            }
        }
    }
}
