package dev.sluice.purge;

import dev.sluice.bucket.S3Clients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Deletes keys from our bucket with DeleteObjects, at most 1000 keys per request (the S3 limit),
 * and reports the keys the store refused, with its reason. Deleting a key that is already gone
 * succeeds, which is what lets an interrupted purge simply run again.
 */
@ApplicationScoped
@Named("objectDeleter")
public class ObjectDeleter {

    public static final int MAX_KEYS_PER_REQUEST = 1000;

    @Inject
    S3Clients clients;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** Keys the store refused (with its reason) and keys whose request failed (deleted or not: unknown). */
    public record Outcome(Map<String, String> refused, Map<String, String> unknown) {
        static final Outcome NONE = new Outcome(Map.of(), Map.of());

        public boolean failed(String key) {
            return refused.containsKey(key) || unknown.containsKey(key);
        }

        public int failures() {
            return refused.size() + unknown.size();
        }
    }

    /** Route step: deletes a batch's objects; its rows go in the next step, according to the outcome. */
    public PurgeBatch deleteObjects(PurgeBatch batch) {
        batch.deleted(delete(batch.keysToDelete()));
        return batch;
    }

    public Outcome delete(Collection<String> keys) {
        Map<String, String> refused = new HashMap<>();
        Map<String, String> unknown = new HashMap<>();
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_REQUEST) {
            List<String> batch = all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_REQUEST));
            try {
                DeleteObjectsResponse response = clients.storage().deleteObjects(b -> b.bucket(bucket).delete(d -> d.quiet(true)
                        .objects(batch.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList())));
                for (S3Error error : response.errors()) {
                    refused.put(error.key(), error.code() + ": " + error.message());
                }
            } catch (RuntimeException e) {
                // the store may have deleted some or all of them before the request failed
                batch.forEach(k -> unknown.put(k, String.valueOf(e.getMessage())));
            }
        }
        return new Outcome(refused, unknown);
    }
}
