package dev.sluice.embedded;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Unpacks zonky's PostgreSQL binaries where zonky looks for them ({@code <dir>/PG-<md5 of the archive>/},
 * ready once its {@code .exists} marker is the newest entry), streaming, before zonky starts.
 *
 * <p>Why: zonky reads the whole 15 MB archive into memory twice and hands every unpacked file (60 MB)
 * to writer threads as a byte array; with the heap Sluice recommends for copy-heavy deployments
 * ({@code -Xmx96m}) its first start on a fresh data directory ran out of memory. Streamed, this needs
 * the 8 MiB XZ dictionary and one buffer. Zonky then finds the binaries ready.
 *
 * <p>Zonky names that directory after the MD5 of the whole archive it is given, read into memory at
 * every start: 15 MB read, inflated and digested (twice, with our own check) before PostgreSQL could
 * start, about half a second of a restart on 2 cores. It is given {@link #RESOLVER} instead, whose
 * "archive" is a short identity of the real one: the MD5 of the archive's first MiB. An XZ stream's
 * first MiB holds the start of the tar (headers with names, sizes and times, the first binaries), so
 * other binaries give another identity, and their own directory.
 */
final class PostgresBinaries {

    private static final int IDENTIFYING_BYTES = 1 << 20;

    /** What zonky digests to name the binaries' directory (see above); one instance, zonky caches per resolver. */
    static final PgBinaryResolver RESOLVER = (system, architecture) ->
            new ByteArrayInputStream(identity().getBytes(StandardCharsets.US_ASCII));

    private static volatile String identity;

    private PostgresBinaries() {
    }

    static void unpackInto(Path workingDirectory) {
        try {
            String md5 = md5(new ByteArrayInputStream(identity().getBytes(StandardCharsets.US_ASCII)));
            Path target = workingDirectory.resolve("PG-" + md5);
            if (Files.exists(target.resolve(".exists"))) {
                return;
            }
            Path partial = Files.createTempDirectory(workingDirectory, ".unpacking-");
            try (InputStream archive = archive();
                 TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(archive, 1 << 16)))) {
                for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                    Path path = partial.resolve(entry.getName()).normalize();
                    if (!path.startsWith(partial)) {
                        throw new IOException("archive entry outside its directory: " + entry.getName());
                    }
                    Files.createDirectories(path.getParent());
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else if (entry.isLink()) {
                        Files.createLink(path, partial.resolve(entry.getLinkName()).normalize());
                    } else {
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                    }
                }
            }
            if (Files.exists(target)) {
                deleteTree(target); // an unpack zonky itself left unfinished
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            Path marker = Files.createFile(target.resolve(".exists"));
            // zonky trusts the binaries only when the marker is not older than anything beside it
            FileTime now = FileTime.fromMillis(System.currentTimeMillis() + 1000);
            Files.setLastModifiedTime(marker, now);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not unpack the PostgreSQL binaries into " + workingDirectory, e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String identity() throws IOException {
        if (identity == null) {
            try (InputStream archive = archive()) {
                identity = "sluice-postgres-binaries:" + md5(new ByteArrayInputStream(archive.readNBytes(IDENTIFYING_BYTES)));
            }
        }
        return identity;
    }

    private static String md5(InputStream data) throws IOException {
        try (DigestInputStream in = new DigestInputStream(data, MessageDigest.getInstance("MD5"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The archive zonky's default resolver picks for this machine. */
    private static InputStream archive() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String system = os.contains("linux") ? "Linux" : os.contains("mac") ? "Darwin" : os.contains("win") ? "Windows" : os;
        String arch = System.getProperty("os.arch");
        String architecture = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
        return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, architecture);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        permissions.add(PosixFilePermission.OWNER_READ);
        permissions.add(PosixFilePermission.OWNER_WRITE);
        return permissions;
    }
}
