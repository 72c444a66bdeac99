package dev.sluice.bucket;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads the sluice-bucket-source Kamelet's split transfers objects on (its {@code executorService}):
 * {@code sluice.transfer.parallel} of them, shared by every poll, so concurrent polls (a schedule, a
 * backfill, a run from the API) together never copy more objects at once than that. Each multipart
 * copy adds its own few upload threads (ObjectTransfer).
 */
@ApplicationScoped
public class TransferThreads {

    @ConfigProperty(name = "sluice.transfer.parallel", defaultValue = "4")
    int parallel;

    @Produces
    @Singleton
    @Named("transferThreads")
    ExecutorService transferThreads() {
        return Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "sluice-transfer");
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Disposes @Named("transferThreads") ExecutorService threads) {
        threads.shutdownNow();
    }
}
