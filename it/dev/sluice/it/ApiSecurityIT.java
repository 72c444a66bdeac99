package dev.sluice.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar as a user starts it, with nothing configured: it listens on loopback only, and
 * it generates a password for the console user and one for the read-only reader into files only
 * its owner can read, logs where they are but never what they are, and wants one of them on every
 * endpoint but the health checks.
 */
class ApiSecurityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aFreshSluiceShouldListenOnLoopbackOnlyAndWantItsGeneratedCredentials() throws Exception {
        Path base = Files.createTempDirectory("sluice-security-");
        Path data = base.resolve("data");
        try (SluiceProcess sluice = SluiceProcess.start(Files.createDirectories(data), Map.of())) {
            sluice.awaitStarted(Duration.ofSeconds(180));
            int port = URI.create(sluice.url()).getPort();

            // loopback only: nothing answers on the host's other addresses
            List<InetAddress> external = new ArrayList<>();
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp() && !nic.isLoopback()) {
                    Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address).forEach(external::add);
                }
            }
            assertFalse(external.isEmpty(), "this host has no non-loopback address to test from");
            for (InetAddress address : external) {
                assertThrows(IOException.class, () -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 2000);
                    }
                }, "Sluice answers on " + address.getHostAddress() + ":" + port);
            }

            // generated credentials, owner-only, never in the log
            String log = sluice.log();
            List<String> console = credentials(data.resolve("console-credentials"));
            List<String> reader = credentials(data.resolve("reader-credentials"));
            assertEquals("admin", console.get(0));
            assertEquals("reader", reader.get(0));
            assertFalse(console.get(1).equals(reader.get(1)));
            for (String secret : List.of(console.get(1), reader.get(1))) {
                assertTrue(secret.length() >= 24, "a generated password is long");
                assertFalse(log.contains(secret), "a generated password is in the log");
            }
            assertTrue(log.contains(data.resolve("reader-credentials").toAbsolutePath().toString()), "the log says where the reader's password is");

            // health is open; everything else wants one of the two users
            assertEquals(200, send("GET", sluice.url() + "/q/health/live", null).statusCode());
            for (String path : List.of("/runs", "/dead-letters", "/catalog", "/datasets", "/sources", "/openapi.json", "/q/metrics", "/hawtio/")) {
                HttpResponse<String> refused = send("GET", sluice.url() + path, null);
                assertEquals(401, refused.statusCode(), path);
                assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), path);
                assertEquals(200, send("GET", sluice.url() + path, Api.basic(reader.get(0), reader.get(1))).statusCode(), path);
                assertEquals(200, send("GET", sluice.url() + path, Api.basic(console.get(0), console.get(1))).statusCode(), path);
            }
            assertEquals(403, send("POST", sluice.url() + "/purge/runs", Api.basic(reader.get(0), reader.get(1))).statusCode());
            assertEquals(200, send("POST", sluice.url() + "/purge/runs", Api.basic(console.get(0), console.get(1))).statusCode());
            // and Api (what the other process-level tests use) finds the generated console credentials
            assertTrue(Api.get(sluice.url() + "/sources").startsWith("["), "Api calls as the console user");
        } finally {
            TempDirs.delete(base);
        }
    }

    private static List<String> credentials(Path file) throws IOException {
        assertTrue(Files.exists(file), file + " was generated");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file + " is its owner's only");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), "user and password");
        return lines;
    }

    private static HttpResponse<String> send(String method, String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
