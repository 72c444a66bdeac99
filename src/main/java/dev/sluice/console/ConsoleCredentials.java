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
 * The credentials of Sluice's two HTTP users (see dev.sluice.security.ApiSecurity): the console
 * user, who may read and write (also the user of Jolokia behind the console), and the read-only
 * reader. Each comes from its environment variables when the password is set (a Kubernetes
 * Secret), else from a password generated once and kept, readable by the owner only (0600), in
 * &lt;data dir&gt;/console-credentials and &lt;data dir&gt;/reader-credentials (first line the
 * user, second line the password). Passwords are never logged.
 */
public final class ConsoleCredentials {

    public static final String USER = "SLUICE_CONSOLE_USER";
    public static final String PASSWORD = "SLUICE_CONSOLE_PASSWORD";
    public static final String READER_USER = "SLUICE_READER_USER";
    public static final String READER_PASSWORD = "SLUICE_READER_PASSWORD";
    public static final String CONSOLE_FILE = "console-credentials";
    public static final String READER_FILE = "reader-credentials";

    private ConsoleCredentials() {
    }

    /**
     * Makes sure both users have a password; returns the file the console password was generated
     * into, or null when it is set in the environment.
     */
    public static Path ensure(Map<String, String> environment, Path dataDirectory) {
        try {
            ensure(environment, dataDirectory, READER_USER, READER_PASSWORD, "reader", READER_FILE);
        } catch (UncheckedIOException e) {
            // the reader is optional: without a password nobody logs in as the reader (a read-only data directory, say)
            System.err.println("Sluice: no read-only user (set SLUICE_READER_PASSWORD to have one): " + e.getMessage()
                               + ": " + e.getCause().getMessage());
        }
        return ensure(environment, dataDirectory, USER, PASSWORD, "admin", CONSOLE_FILE);
    }

    private static Path ensure(Map<String, String> environment, Path dataDirectory, String userVariable,
                               String passwordVariable, String defaultUser, String fileName) {
        if (environment.get(passwordVariable) != null && !environment.get(passwordVariable).isBlank()) {
            return null;
        }
        Path file = dataDirectory.resolve(fileName);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dataDirectory);
                byte[] secret = new byte[18];
                new SecureRandom().nextBytes(secret);
                String user = environment.getOrDefault(userVariable, defaultUser);
                writePrivately(file, user + "\n" + HexFormat.of().formatHex(secret) + "\n");
            } else {
                try {
                    // kept from an older version or copied in: owner-readable only all the same
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
            String[] lines = Files.readString(file, StandardCharsets.US_ASCII).strip().split("\n");
            if (lines.length < 2 || lines[0].isBlank() || lines[1].isBlank()) {
                throw new IllegalStateException(file + " must hold a user (first line) and a password (second line)");
            }
            System.setProperty(userVariable, lines[0].strip());
            System.setProperty(passwordVariable, lines[1].strip());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the credentials in " + file, e);
        }
    }

    /** Created with mode 0600 from the start: the secret is never readable by others, not even briefly. */
    private static void writePrivately(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(temporary);
        }
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
