package dev.sluice.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky binaries) whose data directory survives restarts, so the
 * embedded default keeps what it loaded. Used when no external database is configured, and by tests.
 *
 * <p>Durable and private, unlike zonky's test-oriented defaults: fsync and synchronous commit on
 * (a committed load survives a kill -9 of the server), scram-sha-256 passwords for every
 * connection, TCP on loopback only, no Unix socket, and the binaries unpacked into a directory
 * only the owner can enter (zonky's shared {@code <tmpdir>/embedded-pg} lets anyone replace them).
 * Everything lives beside the data directory: {@code postgres/}, {@code postgres-binaries/},
 * {@code postgres-password} (0600) and {@code postgres.log}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final String password;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory, String password) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.password = password;
    }

    /** Starts PostgreSQL on a free port, initialising {@code dataDirectory} only if it is new. */
    public static EmbeddedPostgresServer start(Path dataDirectory) {
        return start(dataDirectory, FreePort.find());
    }

    /** As {@link #start(Path)} on a given port (a restart that clients find where they left it). */
    public static synchronized EmbeddedPostgresServer start(Path dataDirectory, int port) {
        try {
            Path home = PrivateFiles.directory(dataDirectory.toAbsolutePath().getParent());
            Path binaries = PrivateFiles.directory(home.resolve("postgres-binaries"));
            Path passwordFile = home.resolve("postgres-password");
            String password = password(dataDirectory);
            boolean existing = Files.exists(dataDirectory.resolve("postgresql.conf"));
            stopOrphanedPostmaster(dataDirectory.resolve("postmaster.pid"));
            Path log = dataDirectory.resolveSibling("postgres.log");
            // zonky reads its working directory (binaries, scratch) from this property when the builder is made
            System.setProperty("ot.epg.working-dir", binaries.toString());
            PostgresBinaries.unpackInto(binaries);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setPgBinaryResolver(PostgresBinaries.RESOLVER)
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // zonky's initdb has "-A trust" fixed; its "locale" options are appended as --key=value and
                    // initdb takes the last of repeated options: scram for every connection, our password
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString())
                    // zonky's own readiness check connects with these
                    .setConnectConfig("password", password)
                    // the server's own log goes beside its data, not into Sluice's
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    // zonky starts the server with -F (fsync off) and synchronous_commit=off: a committed load
                    // could vanish with a crash. "-c" settings come after -F on the command line and win.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    // no Unix socket: zonky's would be /tmp/.s.PGSQL.<port>, mode 0777
                    .setServerConfig("unix_socket_directories", "''")
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // bulk loads are the workload: larger WAL segments between checkpoints
                    .setServerConfig("max_wal_size", "2GB")
                    .setServerConfig("checkpoint_timeout", "15min")
                    .start();
            // zonky makes the unpacked binaries writable by everyone; the private parent alone is not enough
            // if that parent is ever loosened
            PrivateFiles.removeWriteForOthers(binaries);
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, dataDirectory, password);
            if (existing) {
                server.requirePasswords();
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * The superuser password of the server in {@code dataDirectory}: generated once, kept in
     * {@code postgres-password} beside it (0600). Known before the server starts, so clients can be
     * configured while it starts.
     */
    public static String password(Path dataDirectory) {
        try {
            Path home = PrivateFiles.directory(dataDirectory.toAbsolutePath().getParent());
            return PrivateFiles.secret(home.resolve("postgres-password"), 24);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or make the embedded PostgreSQL's password beside " + dataDirectory, e);
        }
    }

    /** The JDBC URL of a server on this host's {@code port}. */
    public static String jdbcUrl(int port) {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    /**
     * A data directory initialised by an older Sluice trusts every connection: give the superuser our
     * password and switch every rule in pg_hba.conf to scram, then reload.
     */
    private void requirePasswords() throws IOException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        String rules = Files.readString(hba, StandardCharsets.UTF_8);
        if (!rules.matches("(?ms).*\\btrust\\s*$.*")) {
            return;
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE " + USER + " PASSWORD '" + password.replace("'", "''") + "'");
            Files.writeString(hba, rules.replaceAll("(?m)\\btrust\\s*$", "scram-sha-256"), StandardCharsets.UTF_8);
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not require passwords on the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /**
     * After a kill -9 of Sluice its PostgreSQL child lives on and still holds the data directory.
     * Stop it cleanly (SIGTERM: smart shutdown, its clients are gone) so this start can take over.
     * Callers make sure the process that started it is gone (see {@link DataDirectoryOwner}).
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
        return jdbcUrl(postgres.getPort());
    }

    public String username() {
        return USER;
    }

    /** The generated superuser password (also in {@code postgres-password} beside the data directory, 0600). */
    public String password() {
        return password;
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
