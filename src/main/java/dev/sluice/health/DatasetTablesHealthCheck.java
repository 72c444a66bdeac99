package dev.sluice.health;

import dev.sluice.dataset.DatasetRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while a dataset is stopped: its declaration asks for a table change Sluice refuses (a type,
 * key or dropped column), so its files wait. The response names each such dataset and why, as the
 * route-files check does for a refused route edit.
 */
@Readiness
@ApplicationScoped
public class DatasetTablesHealthCheck implements HealthCheck {

    @Inject
    DatasetRegistry datasets;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("dataset tables");
        var stopped = datasets.stopped();
        stopped.forEach(response::withData);
        return stopped.isEmpty() ? response.up().build() : response.down().build();
    }
}
