package dev.sluice.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The credentials of the Hawtio console and of Jolokia behind it: SLUICE_CONSOLE_USER /
 * SLUICE_CONSOLE_PASSWORD when set (a Kubernetes Secret), else a password generated once and kept,
 * readable by the owner only, in &lt;data dir&gt;/console-credentials. The password is never logged.
 */
public final class ConsoleCredentials {

    public static final String USER = "SLUICE_CONSOLE_USER";
    public static final String PASSWORD = "SLUICE_CONSOLE_PASSWORD";

    private ConsoleCredentials() {
    }

    /** Makes sure a console password is configured; returns the file it was generated into, or null. */
    public static Path ensure(Map<String, String> environment, Path dataDirectory) {
        if (environment.get(PASSWORD) != null && !environment.get(PASSWORD).isBlank()) {
            return null;
        }
        Path file = dataDirectory.resolve("console-credentials");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDirectory);
                byte[] secret = new byte[18];
                new SecureRandom().nextBytes(secret);
                String user = environment.getOrDefault(USER, "admin");
                Files.writeString(file, user + "\n" + HexFormat.of().formatHex(secret) + "\n", StandardCharsets.US_ASCII);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the file keeps the directory's permissions
                }
            }
            String[] lines = Files.readString(file, StandardCharsets.US_ASCII).strip().split("\n");
            System.setProperty(USER, lines[0]);
            System.setProperty(PASSWORD, lines[1]);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the console credentials in " + file, e);
        }
    }
}
