package dev.sluice.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Files and directories only Sluice's own user may read: the data directory (0700) and the secrets
 * generated into it (0600). Created with those modes from the start, so there is no moment in which
 * another local user could open them, and tightened when an older Sluice left them looser.
 */
public final class PrivateFiles {

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates {@code directory} (and its parents) if needed and makes it 0700. */
    public static Path directory(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Path parent = directory.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another thread made it: tightened below
            }
        }
        try {
            restrict(directory, OWNER_ONLY_DIRECTORY);
        } catch (java.nio.file.FileSystemException notOurs) {
            // a mounted volume owned by someone else (Kubernetes): its owner decides its mode
        }
        return directory;
    }

    /**
     * The secret kept in {@code file}: generated once ({@code bytes} random bytes, hex) into a new
     * 0600 file, read back on later starts. Returns it without a line end.
     */
    public static String secret(Path file, int bytes) throws IOException {
        if (!Files.exists(file)) {
            byte[] random = new byte[bytes];
            new SecureRandom().nextBytes(random);
            write(file, HexFormat.of().formatHex(random) + "\n");
        }
        restrict(file, OWNER_ONLY_FILE);
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    /** Writes {@code content} to a file that is 0600 from its creation on. */
    public static void write(Path file, String content) throws IOException {
        Path staging = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(staging);
        Files.createFile(staging, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        Files.writeString(staging, content, StandardCharsets.UTF_8);
        Files.move(staging, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes {@code file} 0600 (a secret an older Sluice wrote with the default umask). */
    public static void ownerOnly(Path file) throws IOException {
        restrict(file, OWNER_ONLY_FILE);
    }

    /** Removes group and other write permission from everything below {@code directory}. */
    public static void removeWriteForOthers(Path directory) throws IOException {
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path path : all.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
                if (permissions.remove(PosixFilePermission.GROUP_WRITE) | permissions.remove(PosixFilePermission.OTHERS_WRITE)) {
                    Files.setPosixFilePermissions(path, permissions);
                }
            }
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        try {
            if (!Files.getPosixFilePermissions(path).equals(permissions)) {
                Files.setPosixFilePermissions(path, permissions);
            }
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: the path keeps what that file system gives it
        }
    }
}
