package dev.sluice.embedded;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Starts an embedded PostgreSQL and/or S3 server for whatever the environment does not configure,
 * and publishes their coordinates as the same SLUICE_* settings a user would set. There is no
 * fallback: once SLUICE_DB_URL (or SLUICE_S3_ENDPOINT) is set, nothing embedded starts for it and an
 * unreachable server is a startup error.
 */
public final class EmbeddedDefaults implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDefaults.class);

    private final List<AutoCloseable> started = new ArrayList<>();

    public static EmbeddedDefaults startWhatIsNotConfigured(Map<String, String> environment) throws IOException {
        EmbeddedDefaults defaults = new EmbeddedDefaults();
        Path dataDirectory = Path.of(setting(environment, "SLUICE_DATA_DIR", "data"));
        boolean database = setting(environment, "SLUICE_DB_URL", null) == null;
        boolean objectStore = setting(environment, "SLUICE_S3_ENDPOINT", null) == null;
        if (database || objectStore) {
            // before anything in the directory is touched: an orphaned postmaster is stopped only once
            // it is certain that the Sluice that started it is gone
            DataDirectoryOwner.claim(dataDirectory);
        }
        // the object store starts on its own thread while PostgreSQL starts: they need nothing from
        // each other, and on a restart on 2 cores each takes a second or more (bench/startup-bench.sh)
        CompletableFuture<EmbeddedS3Server> s3 = objectStore ? CompletableFuture.supplyAsync(
                () -> EmbeddedS3Server.start(dataDirectory.resolve("s3")), EmbeddedDefaults::startingThread) : null;
        try {
            if (database) {
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDirectory.resolve("postgres"));
                defaults.started.add(postgres);
                System.setProperty("SLUICE_DB_URL", postgres.jdbcUrl());
                System.setProperty("SLUICE_DB_USER", postgres.username());
                System.setProperty("SLUICE_DB_PASSWORD", postgres.password());
                LOG.infof("SLUICE_DB_URL is not set: started embedded PostgreSQL at %s (data in %s, user %s, password in %s)",
                        postgres.jdbcUrl(), postgres.dataDirectory().toAbsolutePath(), postgres.username(),
                        dataDirectory.resolve("postgres-password").toAbsolutePath());
            }
            if (s3 != null) {
                EmbeddedS3Server started = started(s3);
                defaults.started.add(0, started);
                System.setProperty("SLUICE_S3_ENDPOINT", started.endpoint().toString());
                System.setProperty("SLUICE_S3_ACCESS_KEY", started.accessKey());
                System.setProperty("SLUICE_S3_SECRET_KEY", started.secretKey());
                LOG.infof("SLUICE_S3_ENDPOINT is not set: started embedded S3 server at %s (objects in %s, credentials in %s)",
                        started.endpoint(), dataDirectory.resolve("s3/objects").toAbsolutePath(),
                        dataDirectory.resolve("s3/credentials").toAbsolutePath());
            }
        } catch (RuntimeException e) {
            // whichever failed, what did start stops again (its threads would keep the JVM alive)
            if (s3 != null && !defaults.started.stream().anyMatch(EmbeddedS3Server.class::isInstance)) {
                try {
                    defaults.started.add(0, started(s3));
                } catch (RuntimeException alsoFailed) {
                    e.addSuppressed(alsoFailed);
                }
            }
            defaults.close();
            throw e;
        }
        return defaults;
    }

    private static void startingThread(Runnable start) {
        Thread thread = new Thread(start, "sluice-embedded-s3-start");
        thread.setDaemon(true);
        thread.start();
    }

    private static EmbeddedS3Server started(CompletableFuture<EmbeddedS3Server> s3) {
        try {
            return s3.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private static String setting(Map<String, String> environment, String name, String fallback) {
        String value = System.getProperty(name, environment.get(name));
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public void close() {
        for (AutoCloseable part : started) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warnf("Stopping %s failed: %s", part.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
