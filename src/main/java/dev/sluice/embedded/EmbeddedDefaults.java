package dev.sluice.embedded;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Starts an embedded PostgreSQL and/or S3 server for whatever the environment does not configure,
 * and publishes their coordinates as the same SLUICE_* settings a user would set. There is no
 * fallback: once SLUICE_DB_URL (or SLUICE_S3_ENDPOINT) is set, nothing embedded starts for it and an
 * unreachable server is a startup error.
 *
 * <p>The servers start on their own threads while Quarkus boots: their ports and credentials are
 * chosen first and published at once, and what uses them first waits for them ({@link #awaitStarted()},
 * called by {@link EmbeddedServersFirst} before Flyway connects). On a restart on 2 cores PostgreSQL
 * takes about 2 s and the S3 server 1–2 s, which Quarkus' own bootstrap (static init, config, CDI)
 * no longer waits for (bench/startup-bench.sh).
 */
public final class EmbeddedDefaults implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDefaults.class);

    /** What this JVM's {@link #startWhatIsNotConfigured} started; null when nothing embedded runs. */
    private static volatile EmbeddedDefaults started;

    private final CompletableFuture<EmbeddedPostgresServer> postgres;
    private final CompletableFuture<EmbeddedS3Server> objectStore;

    private EmbeddedDefaults(CompletableFuture<EmbeddedPostgresServer> postgres, CompletableFuture<EmbeddedS3Server> objectStore) {
        this.postgres = postgres;
        this.objectStore = objectStore;
    }

    /**
     * Claims the data directory, publishes the embedded servers' coordinates and starts them; returns
     * before they are up (see {@link #awaitStarted()}).
     */
    public static EmbeddedDefaults startWhatIsNotConfigured(Map<String, String> environment) throws IOException {
        Path dataDirectory = Path.of(setting(environment, "SLUICE_DATA_DIR", "data"));
        boolean database = setting(environment, "SLUICE_DB_URL", null) == null;
        boolean objectStore = setting(environment, "SLUICE_S3_ENDPOINT", null) == null;
        if (database || objectStore) {
            // before anything in the directory is touched: an orphaned postmaster is stopped only once
            // it is certain that the Sluice that started it is gone
            DataDirectoryOwner.claim(dataDirectory);
        }
        int databasePort = database ? FreePort.find() : -1;
        int objectStorePort = objectStore ? FreePort.find() : -1;
        while (objectStore && objectStorePort == databasePort) {
            objectStorePort = FreePort.find();
        }
        CompletableFuture<EmbeddedPostgresServer> postgres = null;
        if (database) {
            Path postgresData = dataDirectory.resolve("postgres");
            int port = databasePort;
            System.setProperty("SLUICE_DB_URL", EmbeddedPostgresServer.jdbcUrl(port));
            System.setProperty("SLUICE_DB_USER", EmbeddedPostgresServer.USER);
            System.setProperty("SLUICE_DB_PASSWORD", EmbeddedPostgresServer.password(postgresData));
            postgres = startingOnItsOwn("sluice-embedded-postgres-start", () -> {
                EmbeddedPostgresServer server = EmbeddedPostgresServer.start(postgresData, port);
                LOG.infof("SLUICE_DB_URL is not set: started embedded PostgreSQL at %s (data in %s, user %s, password in %s)",
                        server.jdbcUrl(), server.dataDirectory().toAbsolutePath(), server.username(),
                        dataDirectory.resolve("postgres-password").toAbsolutePath());
                return server;
            });
        }
        CompletableFuture<EmbeddedS3Server> store = null;
        if (objectStore) {
            Path base = dataDirectory.resolve("s3");
            int port = objectStorePort;
            String[] credentials = EmbeddedS3Server.credentials(base);
            System.setProperty("SLUICE_S3_ENDPOINT", EmbeddedS3Server.endpoint(port).toString());
            System.setProperty("SLUICE_S3_ACCESS_KEY", credentials[0]);
            System.setProperty("SLUICE_S3_SECRET_KEY", credentials[1]);
            store = startingOnItsOwn("sluice-embedded-s3-start", () -> {
                EmbeddedS3Server server = EmbeddedS3Server.start(base, true, port);
                LOG.infof("SLUICE_S3_ENDPOINT is not set: started embedded S3 server at %s (objects in %s, credentials in %s)",
                        server.endpoint(), base.resolve("objects").toAbsolutePath(), base.resolve("credentials").toAbsolutePath());
                return server;
            });
        }
        EmbeddedDefaults defaults = new EmbeddedDefaults(postgres, store);
        if (database || objectStore) {
            started = defaults;
        }
        return defaults;
    }

    /**
     * Waits until the embedded servers this JVM started are up (at once when none were, or they are
     * up already). If one could not start, what did start stops again and its failure is thrown: Sluice
     * does not start without it.
     */
    public static void awaitStarted() {
        EmbeddedDefaults defaults = started;
        if (defaults != null) {
            defaults.await();
        }
    }

    private void await() {
        RuntimeException failure = null;
        for (CompletableFuture<?> server : servers()) {
            try {
                server.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException runtime ? runtime : e;
                if (failure == null) {
                    failure = cause;
                } else if (failure != cause) {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            // whichever failed, what did start stops again (its threads would keep the JVM alive)
            close();
            throw failure;
        }
    }

    private List<CompletableFuture<?>> servers() {
        List<CompletableFuture<?>> servers = new ArrayList<>();
        if (objectStore != null) {
            servers.add(objectStore);
        }
        if (postgres != null) {
            servers.add(postgres);
        }
        return servers;
    }

    private static <T> CompletableFuture<T> startingOnItsOwn(String name, Supplier<T> start) {
        CompletableFuture<T> server = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                server.complete(start.get());
            } catch (Throwable e) {
                server.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    private static String setting(Map<String, String> environment, String name, String fallback) {
        String value = System.getProperty(name, environment.get(name));
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Stops what has started (a server still starting is awaited first: it would live on otherwise). */
    @Override
    public void close() {
        for (CompletableFuture<?> server : servers()) {
            Object part;
            try {
                part = server.join();
            } catch (CompletionException failed) {
                continue;
            }
            try {
                ((AutoCloseable) part).close();
            } catch (Exception e) {
                LOG.warnf("Stopping %s failed: %s", part.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
