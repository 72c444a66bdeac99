package dev.sluice.routes;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while a route file on disk is not what runs: an operator's edit was refused and the
 * previous version still runs. The response names each such file and why it was refused.
 */
@Readiness
@ApplicationScoped
public class RouteFilesHealthCheck implements HealthCheck {

    @Inject
    RouteFileEdits edits;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("route files");
        var refused = edits.refused();
        refused.forEach(response::withData);
        return refused.isEmpty() ? response.up().build() : response.down().build();
    }
}
