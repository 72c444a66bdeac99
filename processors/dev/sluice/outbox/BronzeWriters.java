package dev.sluice.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two threads of the outbox → bronze split (executorService bronzeWriters in
 * routes/outbox-bronze.camel.yaml): the next batch is claimed and COPYed out of PostgreSQL while the
 * previous one is written as Parquet and stored, so PostgreSQL's work and DuckDB's overlap on two cores.
 */
@ApplicationScoped
public class BronzeWriters {

    @Produces
    @Singleton
    @Named("bronzeWriters")
    ExecutorService writers() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "bronze-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    void stop(@Disposes @Named("bronzeWriters") ExecutorService writers) {
        writers.shutdownNow();
    }
}
