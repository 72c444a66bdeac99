package dev.sluice.health;

import dev.sluice.bucket.S3Clients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/** Ready only while our bucket answers: without it nothing can be archived or stored. */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {

    @Inject
    S3Clients clients;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("object store").withData("bucket", bucket);
        try {
            clients.storage().headBucket(b -> b.bucket(bucket)
                    .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(3))));
            return response.up().build();
        } catch (RuntimeException e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
