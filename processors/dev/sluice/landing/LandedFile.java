package dev.sluice.landing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * What an inbox entry is, looked at without following it (lstat): only a regular file with a single
 * hard link is ever opened. A symbolic link would make Sluice read (and archive, and dead-letter)
 * whatever it points at; a second hard link is the same risk for a file on the same filesystem; a
 * named pipe blocks whoever opens it. None of these is read: they go to error/ with the reason.
 */
public final class LandedFile {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private LandedFile() {
    }

    /** Size and modification time of the entry itself (not of a link's target). */
    public record Stat(long size, Instant modified) {
    }

    /**
     * Why the entry must not be read, or null for a regular file of its own.
     *
     * @throws java.nio.file.NoSuchFileException when the entry is gone
     */
    public static String refusal(Path entry) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(entry));
            } catch (IOException | UnsupportedOperationException e) {
                target = "?";
            }
            return "a symbolic link (to " + target + "): refused, only regular files are loaded; the link's target was not opened";
        }
        if (attributes.isDirectory()) {
            return "a directory: refused, only regular files are loaded";
        }
        if (!attributes.isRegularFile()) {
            return kindOfSpecialFile(entry) + ": refused, only regular files are loaded; it was not opened";
        }
        int links = hardLinks(entry);
        if (links > 1) {
            return "a file with " + links + " hard links: refused, a hard link may expose another file's content "
                   + "(copy or move the file into the inbox instead of linking it); it was not opened";
        }
        return null;
    }

    /** The entry's own size and modification time (lstat). */
    public static Stat stat(Path entry) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return new Stat(attributes.size(), attributes.lastModifiedTime().toInstant());
    }

    /** A short name for what kind of non-regular entry this is: "fifo", "symlink", …; used where the ledger wants a content hash. */
    public static String kind(Path entry) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                return "symlink";
            }
            if (attributes.isDirectory()) {
                return "directory";
            }
            if (attributes.isRegularFile()) {
                return hardLinks(entry) > 1 ? "hardlink" : "file";
            }
            return switch (mode(entry) & S_IFMT) {
                case S_IFIFO -> "fifo";
                case S_IFSOCK -> "socket";
                case S_IFCHR, S_IFBLK -> "device";
                default -> "special";
            };
        } catch (IOException e) {
            return "gone";
        }
    }

    private static String kindOfSpecialFile(Path entry) {
        return switch (mode(entry) & S_IFMT) {
            case S_IFIFO -> "a named pipe (FIFO)";
            case S_IFSOCK -> "a socket";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            default -> "not a regular file";
        };
    }

    private static int mode(Path entry) {
        try {
            return (Integer) Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }

    private static int hardLinks(Path entry) throws IOException {
        try {
            return (Integer) Files.getAttribute(entry, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return 1; // no unix view (not a POSIX system): nothing to tell
        }
    }
}
