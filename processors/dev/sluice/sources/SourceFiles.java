package dev.sluice.sources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The source definition files: the shipped ones (src/main/resources/sources/, read from the
 * application jar or the classes directory) and those in SLUICE_SOURCES_DIR, which replace shipped
 * files of the same name.
 */
public final class SourceFiles {

    private SourceFiles() {
    }

    /** File name → content, shipped first, then the extra directory's. */
    public static Map<String, byte[]> read(Optional<Path> extraDirectory) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            URI location = SourceFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            Path root = Path.of(location);
            if (Files.isDirectory(root)) {
                readDirectory(root.resolve("sources"), files);
            } else {
                try (FileSystem jar = FileSystems.newFileSystem(root)) {
                    readDirectory(jar.getPath("sources"), files);
                }
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("Cannot read the shipped source definitions", e);
        }
        extraDirectory.filter(Files::isDirectory).ifPresent(dir -> readDirectory(dir, files));
        return files;
    }

    private static void readDirectory(Path directory, Map<String, byte[]> files) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> list = Files.list(directory)) {
            for (Path file : list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    files.put(file.getFileName().toString(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read source definitions in " + directory, e);
        }
    }
}
