package dev.sluice.embedded;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded store's half-written files are nobody's objects. jclouds' filesystem backend writes
 * an upload to {@code <key>-<random UUID>} beside its target and renames it when complete, and keeps
 * multipart parts as {@code .mpus-…} files: while an upload runs, and forever after a kill -9 in the
 * middle of one, they would be listed as objects. This view of the store hides them from listings
 * and reads, and {@link #removeLeftovers} deletes those a killed process left behind.
 *
 * <p>The price: in the embedded store a key ending in "-" and a version-4 UUID cannot be seen.
 * Sluice's own keys never end that way.
 */
final class UploadDebris extends ForwardingBlobStore {

    private static final Pattern TEMPORARY = Pattern.compile(
            "(^|/)\\.mpus-.*|.*-\\p{XDigit}{8}-\\p{XDigit}{4}-4\\p{XDigit}{3}-[89abAB]\\p{XDigit}{3}-\\p{XDigit}{12}$");

    UploadDebris(BlobStore store) {
        super(store);
    }

    static boolean isDebris(String key) {
        return TEMPORARY.matcher(key).matches();
    }

    /** Deletes the in-progress upload files of a store no process is writing to (at its start). */
    static int removeLeftovers(Path objects) throws IOException {
        if (!Files.isDirectory(objects)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(objects)) {
            List<Path> debris = files.filter(Files::isRegularFile)
                    .filter(f -> isDebris(objects.relativize(f).toString()) && !f.getFileName().toString().startsWith(".mpus-"))
                    .toList();
            for (Path file : debris) {
                Files.deleteIfExists(file);
            }
            return debris.size();
        }
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container) {
        return list(container, ListContainerOptions.NONE);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        PageSet<? extends StorageMetadata> page = super.list(container, options);
        List<StorageMetadata> visible = page.stream()
                .filter(entry -> entry.getName() == null || !isDebris(entry.getName()))
                .map(StorageMetadata.class::cast)
                .toList();
        return visible.size() == page.size() ? page : new PageSetImpl<>(visible, page.getNextMarker());
    }

    @Override
    public boolean blobExists(String container, String name) {
        return !isDebris(name) && super.blobExists(container, name);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        return isDebris(name) ? null : super.blobMetadata(container, name);
    }

    @Override
    public Blob getBlob(String container, String name) {
        return isDebris(name) ? null : super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        return isDebris(name) ? null : super.getBlob(container, name, options);
    }
}
