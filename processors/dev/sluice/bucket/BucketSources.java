package dev.sluice.bucket;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        Map<String, byte[]> files = dev.sluice.sources.SourceFiles.read(extraDirectory);
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
