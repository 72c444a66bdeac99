package dev.sluice.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky binaries) whose data directory survives restarts, so the
 * embedded default keeps what it loaded. Used when no external database is configured, and by tests.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /** Starts PostgreSQL on a free port, initialising {@code dataDirectory} only if it is new. */
    public static EmbeddedPostgresServer start(Path dataDirectory) {
        return start(dataDirectory, FreePort.find());
    }

    /** As {@link #start(Path)} on a given port (a restart that clients find where they left it). */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        try {
            Files.createDirectories(dataDirectory);
            stopOrphanedPostmaster(dataDirectory.resolve("postmaster.pid"));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // the server's own log goes beside its data, not into Sluice's
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(dataDirectory.resolveSibling("postgres.log").toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(dataDirectory.resolveSibling("postgres.log").toFile()))
                    // bulk loads are the workload: larger WAL segments between checkpoints
                    .setServerConfig("max_wal_size", "2GB")
                    .setServerConfig("checkpoint_timeout", "15min")
                    .start();
            return new EmbeddedPostgresServer(postgres, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * After a kill -9 of Sluice its PostgreSQL child lives on and still holds the data directory.
     * Stop it cleanly (SIGTERM: smart shutdown, its clients are gone) so this start can take over.
     */
    private static void stopOrphanedPostmaster(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String firstLine = Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        if (firstLine.matches("\\d+")) {
            ProcessHandle.of(Long.parseLong(firstLine))
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
                    .ifPresent(EmbeddedPostgresServer::awaitStopped);
        }
    }

    private static void awaitStopped(ProcessHandle postmaster) {
        postmaster.destroy();
        try {
            postmaster.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            postmaster.destroyForcibly();
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
