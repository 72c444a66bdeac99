package dev.sluice.embedded;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The embedded servers start while Quarkus boots (see {@link EmbeddedDefaults}); the first things
 * that use them wait here: Flyway, which connects to PostgreSQL before Camel or any bean does, and
 * before it every start-up observer (the bucket is made at StartupEvent). Nothing waits when the
 * servers are up already, or when Sluice uses configured ones.
 */
@ApplicationScoped
public class EmbeddedServersFirst implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        EmbeddedDefaults.awaitStarted();
    }

    void beforeOtherObservers(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        EmbeddedDefaults.awaitStarted();
    }
}
