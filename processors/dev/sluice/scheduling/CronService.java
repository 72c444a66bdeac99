package dev.sluice.scheduling;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.camel.CamelContext;
import org.apache.camel.component.cron.api.CamelCronService;
import org.apache.camel.component.quartz.cron.CamelQuartzCronService;

/**
 * The scheduler behind every cron: endpoint (the purge, the silver builder, the source pollers) is
 * Quartz, put in the registry. camel-cron looks for its service in the registry before it looks for a
 * service file, and the registry is the one place that works both in the app and in a Camel K
 * integration: camel-quarkus-cron (which would register the service file) is not served at 3.27.0,
 * and the integration's build overwrites quarkus.camel.service.discovery.include-patterns, so
 * META-INF/services/org/apache/camel/cron/* is never discovered there.
 */
@ApplicationScoped
public class CronService {

    /** Named, so that ArC keeps it although nothing injects it: Camel finds it by type. */
    @Produces
    @Singleton
    @Named("quartzCronService")
    CamelCronService quartzCronService(CamelContext camel) {
        CamelQuartzCronService service = new CamelQuartzCronService();
        service.setCamelContext(camel);
        return service;
    }
}
