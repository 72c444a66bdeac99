package dev.sluice.dataset;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The datasets Sluice knows: the built-in declarations plus any YAML files in SLUICE_DATASETS_DIR. */
@ApplicationScoped
@Named("datasetRegistry")
public class DatasetRegistry {

    private static final Logger LOG = Logger.getLogger(DatasetRegistry.class);

    @ConfigProperty(name = "sluice.datasets.dir")
    Optional<Path> extraDirectory;

    private final Map<String, DatasetDefinition> byName = new LinkedHashMap<>();

    @PostConstruct
    void load() {
        try (InputStream builtIn = DatasetRegistry.class.getResourceAsStream("/datasets.yaml")) {
            DatasetDeclarations.parse(builtIn, "datasets.yaml").forEach(this::register);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        extraDirectory.filter(Files::isDirectory).ifPresent(this::loadDirectory);
        LOG.infof("Datasets: %s", byName.keySet());
    }

    private void loadDirectory(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    DatasetDeclarations.parse(in, file.toString()).forEach(this::register);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read dataset declarations in " + directory, e);
        }
    }

    void register(DatasetDefinition dataset) {
        byName.put(dataset.name(), dataset);
    }

    /** The dataset whose file patterns match this file name; the first declared wins. */
    public Optional<DatasetDefinition> forFile(String fileName) {
        return byName.values().stream().filter(d -> d.matches(fileName)).findFirst();
    }

    public Optional<DatasetDefinition> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<DatasetDefinition> all() {
        return new ArrayList<>(byName.values());
    }
}
