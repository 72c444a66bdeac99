package dev.sluice.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * One Sluice per data directory: the embedded servers' files must have one owner. The first Sluice
 * holds a lock on {@code <data>/sluice.lock} (with its pid in it) for as long as it runs; the kernel
 * releases it when that process dies, however it dies, so a later start knows for sure whether
 * what it finds in the directory (an orphaned postmaster) still belongs to a live Sluice.
 */
public final class DataDirectoryOwner {

    private static FileChannel held;

    private DataDirectoryOwner() {
    }

    /** Takes the data directory for this process, or fails with a message naming the process that has it. */
    public static synchronized void claim(Path dataDirectory) throws IOException {
        if (held != null) {
            return;
        }
        Path lockFile = PrivateFiles.directory(dataDirectory).resolve("sluice.lock");
        FileChannel channel = FileChannel.open(lockFile, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock = channel.tryLock();
        if (lock == null) {
            String owner = StandardCharsets.US_ASCII.decode(read(channel)).toString().strip();
            channel.close();
            throw new DataDirectoryInUseException(dataDirectory + " is in use by Sluice pid "
                    + (owner.isEmpty() ? "(unknown)" : owner) + ": stop it first, or give this one its own SLUICE_DATA_DIR");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        // held open (and locked) until the JVM ends
        held = channel;
    }

    private static ByteBuffer read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        channel.read(buffer, 0);
        return buffer.flip();
    }

    /** Another live Sluice owns the data directory. */
    public static final class DataDirectoryInUseException extends IllegalStateException {
        DataDirectoryInUseException(String message) {
            super(message);
        }
    }
}
