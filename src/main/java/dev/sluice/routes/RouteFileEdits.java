package dev.sluice.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Route files are configuration that operators edit while Sluice runs. An edit is applied to that
 * file's routes only; an edit that cannot be built or started is refused and the file's previous
 * version keeps running (see {@link RefusingRouteReload}). What is refused is kept here for the
 * health check and counted in {@code routes_reload_failures_total}.
 */
@ApplicationScoped
public class RouteFileEdits {

    @Inject
    CamelContext camel;
    @Inject
    MeterRegistry metrics;
    @ConfigProperty(name = "sluice.routes.dir")
    Path routes;
    @ConfigProperty(name = "sluice.routes.reload", defaultValue = "true")
    boolean reload;

    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private Counter failures;

    /** After Camel has loaded the route files: from now on their edits are watched. */
    void watch(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.LIBRARY_AFTER + 100) StartupEvent started)
            throws Exception {
        failures = Counter.builder("routes.reload.failures")
                .description("Route file edits that could not be applied (the previous version kept running)")
                .register(metrics);
        if (!reload || !Files.isDirectory(routes)) {
            return;
        }
        RefusingRouteReload strategy = new RefusingRouteReload(routes.toAbsolutePath().toString(), this);
        try (Stream<Path> files = Files.list(routes)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                strategy.remember(file, Files.readString(file));
            }
        }
        camel.addService(strategy, true, true);
    }

    void applied(String file) {
        refused.remove(file);
    }

    void refused(String file, String reason) {
        refused.put(file, reason);
        failures.increment();
    }

    /** Route files whose current content is not what runs, with the reason it was refused. */
    public Map<String, String> refused() {
        return new TreeMap<>(refused);
    }
}
