package dev.sluice.bucket;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * Our bucket, made once when Sluice starts if it is missing. Not by the routes' aws2-s3 endpoints
 * (autoCreateBucket): they check and create it while their route starts, and two replicas starting
 * together on a fresh store raced — the loser's CreateBucket answered 409 BucketAlreadyOwnedByYou and
 * its route, then the whole process, failed to start. Here a 409 means the bucket is there.
 */
@ApplicationScoped
public class StorageBucket {

    private static final Logger LOG = Logger.getLogger(StorageBucket.class);

    @Inject
    S3Clients clients;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    void atStartup(@Observes StartupEvent started) {
        try {
            ensure();
        } catch (RuntimeException e) {
            // the object store is down: the pipelines wait for it (ObjectStoreOutage), readiness says so
            LOG.warnf("Bucket %s could not be checked at startup: %s", bucket, e.getMessage());
        }
    }

    /** Makes the bucket if it is missing; another replica making it at the same moment is fine. */
    public void ensure() {
        try {
            clients.storage().headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException missing) {
            try {
                clients.storage().createBucket(b -> b.bucket(bucket));
                LOG.infof("Bucket %s created", bucket);
            } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException madeMeanwhile) {
                LOG.debugf("Bucket %s was made meanwhile", bucket);
            }
        }
    }
}
