package dev.sluice.bucket;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The bucket sources: one YAML file each, shipped in src/main/resources/sources/ and added in
 * SLUICE_SOURCES_DIR (a file there replaces a shipped one of the same name). Adding a source is
 * adding a file; no Java.
 */
@ApplicationScoped
@Named("bucketSources")
public class BucketSources {

    private static final Logger LOG = Logger.getLogger(BucketSources.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ConfigProperty(name = "sluice.sources.dir")
    Optional<Path> extraDirectory;
    /** When set, exactly these sources are enabled, whatever their files say. */
    @ConfigProperty(name = "sluice.sources.enabled")
    Optional<List<String>> enabledOverride;
    /** When set, every upstream is reached through this endpoint (a mirror, MinIO, tests). */
    @ConfigProperty(name = "sluice.sources.endpoint")
    Optional<String> endpointOverride;

    private final Map<String, BucketSource> byName = new LinkedHashMap<>();

    @PostConstruct
    void load() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        readShipped(files);
        extraDirectory.filter(Files::isDirectory).ifPresent(dir -> readDirectory(dir, files));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            try {
                if (!"bucket".equals(YAML.readTree(file.getValue()).path("type").asText())) {
                    continue;
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(file.getKey() + ": not valid YAML: " + e.getMessage(), e);
            }
            BucketSource source = BucketSourceDeclarations.parse(new java.io.ByteArrayInputStream(file.getValue()), file.getKey());
            byName.put(source.name(), adjust(source));
        }
        LOG.infof("Bucket sources: %s", byName.values().stream()
                .map(s -> s.name() + (s.enabled() ? " (enabled, " + s.schedule() + ")" : " (disabled)")).toList());
    }

    private BucketSource adjust(BucketSource s) {
        boolean enabled = enabledOverride.map(names -> names.contains(s.name())).orElse(s.enabled());
        String endpoint = endpointOverride.filter(e -> !e.isBlank()).orElse(s.endpoint());
        return new BucketSource(s.name(), s.description(), enabled, s.bucket(), s.region(), s.anonymous(), endpoint,
                s.schedule(), s.period(), s.availabilityDelay(), s.lookBack(), s.keys(), s.forecastHours(), s.bands(),
                s.products(), s.include(), s.exclude(), s.parameters(), s.retention());
    }

    /** The shipped definitions, read from the application jar (or classes directory in tests). */
    private static void readShipped(Map<String, byte[]> files) {
        try {
            URI location = BucketSources.class.getProtectionDomain().getCodeSource().getLocation().toURI();
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

    public Optional<BucketSource> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<BucketSource> all() {
        return new ArrayList<>(byName.values());
    }

    public List<BucketSource> enabled() {
        return byName.values().stream().filter(BucketSource::enabled).toList();
    }
}
