package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded default as another local user meets it: the data directory and its secrets are the
 * owner's alone, PostgreSQL wants a password over loopback TCP and has no Unix socket, its binaries
 * cannot be replaced, and a second Sluice on the same data directory leaves the first one alone.
 */
class EmbeddedDefaultPrivacyIT {

    @Test
    void anotherLocalUserShouldGetNothingAndASecondSluiceShouldLeaveTheFirstAlone() throws Exception {
        Path base = Files.createTempDirectory("sluice-private-");
        // like a checkout in a home directory: the path down to data/ is open to everyone
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = base.resolve("data");
        // the first start unpacks PostgreSQL: with the heap README recommends for copy-heavy deployments
        try (SluiceProcess first = SluiceProcess.start(data, Map.of(), "-Xmx96m", "-XX:+UseSerialGC")) {
            String url = first.awaitStarted(Duration.ofSeconds(90));
            int port = Integer.parseInt(url.replaceAll(".*localhost:(\\d+)/.*", "$1"));

            assertEquals("rwx------", mode(data), "data/");
            for (String secret : List.of("s3/credentials", "postgres-password", "console-credentials")) {
                assertEquals("rw-------", mode(data.resolve(secret)), secret);
            }
            try (Stream<Path> all = Files.walk(data)) {
                List<Path> worldWritable = all.filter(p -> !Files.isSymbolicLink(p))
                        .filter(p -> permissions(p).contains(PosixFilePermission.OTHERS_WRITE)).toList();
                assertEquals(List.of(), worldWritable, "nothing under data/ is writable by everyone");
            }
            try (Stream<Path> binaries = Files.list(data.resolve("postgres-binaries"))) {
                assertTrue(binaries.anyMatch(p -> Files.exists(p.resolve("bin/postgres"))), "the binaries are unpacked under data/");
            }

            try (Connection c = DriverManager.getConnection(url); ResultSet r = c.createStatement().executeQuery(
                    "select current_setting('fsync'), current_setting('synchronous_commit'), current_setting('listen_addresses'),"
                    + " current_setting('unix_socket_directories'), current_setting('password_encryption')")) {
                r.next();
                assertEquals("on", r.getString(1), "fsync");
                assertEquals("on", r.getString(2), "synchronous_commit");
                assertEquals("localhost", r.getString(3), "listen_addresses");
                assertEquals("", r.getString(4), "no Unix socket");
                assertEquals("scram-sha-256", r.getString(5));
            }
            assertFalse(Files.exists(Path.of("/tmp/.s.PGSQL." + port)), "no socket in /tmp");
            assertEquals("", String.join("", Files.readAllLines(data.resolve("postgres/pg_hba.conf")).stream()
                    .filter(line -> !line.startsWith("#") && line.contains("trust")).toList()), "no rule trusts anyone");

            // nobody: no password, so no connection; and the password file cannot be read
            org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                    "trying another user's view needs root (setpriv), as CI runs");
            Result psql = asNobody(base, "psql", "-w", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres", "-c", "select 1");
            assertNotEquals(0, psql.exit(), psql.output());
            assertTrue(psql.output().contains("password"), psql.output());
            Result read = asNobody(base, "cat", data.resolve("postgres-password").toString());
            assertNotEquals(0, read.exit(), read.output());
            assertTrue(read.output().contains("Permission denied"), read.output());

            // a second Sluice on the same data directory: refused at once, the first keeps its database
            long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(0).strip());
            try (SluiceProcess second = SluiceProcess.start(data, Map.of())) {
                int exit = second.awaitExit(Duration.ofSeconds(30));
                assertNotEquals(0, exit);
                assertTrue(second.log().contains("is in use by Sluice pid " + first.pid()), second.log());
            }
            assertTrue(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false), "the first instance's postmaster lives");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(first.url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            TempDirs.delete(base);
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command as the unprivileged user nobody (setpriv, as root runs the suite). */
    private static Result asNobody(Path workingDirectory, String... command) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "env", "-i", "PATH=/usr/bin:/bin", "PGCONNECT_TIMEOUT=5"));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String mode(Path path) {
        return PosixFilePermissions.toString(permissions(path));
    }

    private static Set<PosixFilePermission> permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
