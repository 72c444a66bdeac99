package dev.sluice.bucket;

import dev.sluice.sources.Sources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.util.List;
import java.util.Optional;

/** The bucket sources (type: bucket) among the declared {@link Sources}. */
@ApplicationScoped
@Named("bucketSources")
public class BucketSources {

    @Inject
    Sources sources;

    public Optional<BucketSource> named(String name) {
        return sources.named(name).filter(BucketSource.class::isInstance).map(BucketSource.class::cast);
    }

    /** The route this process polls the source with (its sluice-bucket-source Kamelet's), if it runs one. */
    public Optional<String> pollRoute(String name) {
        return sources.declaringRoute(name);
    }

    public List<BucketSource> all() {
        return sources.all(BucketSource.class);
    }

    public List<BucketSource> enabled() {
        return all().stream().filter(BucketSource::enabled).toList();
    }
}
