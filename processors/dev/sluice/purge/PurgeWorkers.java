package dev.sluice.purge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the purge's batch split (executorService purgeWorkers in
 * routes/retention-purge.camel.yaml): sluice.purge.parallel batches are deleted at once, so the
 * store's DeleteObjects round trips overlap with each other and with marking the next batch
 * (README "Retention purge": 0.70 of the reference's time with 2, 1.04 with 1). One thread more than
 * that: the split takes (marks) its next batch on a pool thread too; with only sluice.purge.parallel
 * threads the marking no longer overlapped two deletions and the purge took 13% longer relative to
 * the reference (bench/purge-bench.sh 100000: 0.86 instead of 0.76).
 */
@ApplicationScoped
public class PurgeWorkers {

    @ConfigProperty(name = "sluice.purge.parallel", defaultValue = "2")
    int parallel;

    @Produces
    @Singleton
    @Named("purgeWorkers")
    ExecutorService workers() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(Math.max(1, parallel) + 1, r -> {
            Thread thread = new Thread(r, "purge-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    void stop(@Disposes @Named("purgeWorkers") ExecutorService workers) {
        workers.shutdownNow();
    }
}
