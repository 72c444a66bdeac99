package dev.sluice.bucket;

import dev.sluice.api.NotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;

/** POST /sources/{name}/runs: one poll of a source now, whatever its schedule and enabled flag. */
@ApplicationScoped
@Named("sourceRuns")
public class SourceRuns {

    @Inject
    BucketSources sources;
    @Inject
    BucketPoller poller;

    public BucketPoller.PollResult run(String name) throws Exception {
        BucketSource source = sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
        return poller.poll(source, source.periodsDue(Instant.now()), "run");
    }
}
