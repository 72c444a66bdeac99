package dev.sluice.dataset;

import dev.sluice.outage.DatabaseOutage;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The datasets Sluice knows: the built-in declarations plus any YAML files in SLUICE_DATASETS_DIR, and
 * whether each one's table matches its declaration ({@link DatasetTables}).
 *
 * <p>The directory is read again every sluice.datasets.reload-ms (and at once when a file matches no
 * dataset), so a declaration dropped in while Sluice runs gets its table and its files without a
 * restart. Why here and not a Camel file-watch route: every integration that loads rows (landing, HTTP
 * sources) needs the new declaration, and route files are deployed alone, so the re-read goes with the
 * registry each of them has. A file that no longer parses keeps its previous datasets (logged at ERROR).
 *
 * <p>A dataset whose table differs from its declaration in a way Sluice does not change (see
 * {@link DatasetTables}) is stopped: nothing loads into it, its files wait, readiness names it, and it is
 * checked again on every re-read, so fixing the declaration or the table resumes it.
 */
@ApplicationScoped
@Named("datasetRegistry")
public class DatasetRegistry {

    private static final Logger LOG = Logger.getLogger(DatasetRegistry.class);
    private static final String BUILT_IN = "datasets.yaml";

    @ConfigProperty(name = "sluice.datasets.dir")
    Optional<Path> extraDirectory;
    @ConfigProperty(name = "sluice.datasets.reload-ms", defaultValue = "2000")
    long reloadMs;
    @Inject
    DatasetTables tables;

    /** A declaration file as last read: its size and mtime, and what it declared. */
    private record DeclarationFile(long size, long modified, List<DatasetDefinition> datasets) {
    }

    private volatile Map<String, DatasetDefinition> byName = Map.of();
    /** Dataset name → the file that declares it. */
    private volatile Map<String, String> origins = Map.of();
    private final Map<Path, DeclarationFile> files = new TreeMap<>();
    /** Datasets whose table matches the declaration they were checked with. */
    private final Map<String, DatasetDefinition> synced = new ConcurrentHashMap<>();
    /** Dataset name → why it is stopped. */
    private final Map<String, String> stopped = new ConcurrentHashMap<>();
    /** Datasets whose table could not be checked yet (the database was unreachable). */
    private final Set<String> unchecked = ConcurrentHashMap.newKeySet();
    private List<DatasetDefinition> builtIn;
    private ScheduledExecutorService rereads;

    @PostConstruct
    void load() {
        try (InputStream in = DatasetRegistry.class.getResourceAsStream("/" + BUILT_IN)) {
            builtIn = DatasetDeclarations.parse(in, BUILT_IN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // at startup a declaration that does not parse stops Sluice: a typo fails now, not at the first file
        readDirectory(true);
        LOG.infof("Datasets: %s", byName.keySet());
    }

    /** Makes the tables (Flyway has run by now) and starts re-reading the directory. */
    void start(@Observes StartupEvent started) {
        syncTables();
        rereads = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sluice-datasets-reread");
            thread.setDaemon(true);
            return thread;
        });
        rereads.scheduleWithFixedDelay(this::reread, reloadMs, reloadMs, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (rereads != null) {
            rereads.shutdownNow();
        }
    }

    private void reread() {
        try {
            if (readDirectory(false)) {
                LOG.infof("Datasets: %s", byName.keySet());
            }
            syncTables();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Re-reading the dataset declarations failed");
        }
    }

    /**
     * Reads the declaration files that are new or changed since the last read.
     *
     * @return whether the set of declarations changed
     */
    private synchronized boolean readDirectory(boolean strict) {
        Map<Path, DeclarationFile> seen = new TreeMap<>();
        Optional<Path> directory = extraDirectory.filter(Files::isDirectory);
        if (directory.isPresent()) {
            try (Stream<Path> listing = Files.list(directory.get())) {
                for (Path file : listing.filter(DatasetRegistry::isDeclaration).sorted().toList()) {
                    DeclarationFile known = files.get(file);
                    try {
                        long size = Files.size(file);
                        long modified = Files.getLastModifiedTime(file).toMillis();
                        if (known != null && known.size() == size && known.modified() == modified) {
                            seen.put(file, known);
                            continue;
                        }
                        try (InputStream in = Files.newInputStream(file)) {
                            seen.put(file, new DeclarationFile(size, modified, DatasetDeclarations.parse(in, file.toString())));
                        }
                    } catch (IOException | RuntimeException e) {
                        if (strict) {
                            throw e instanceof IOException io ? new UncheckedIOException("Cannot read " + file, io) : (RuntimeException) e;
                        }
                        // a half-written or broken file: keep what it declared before, say why once per change
                        LOG.errorf("Dataset declarations in %s not taken: %s%s", file, e.getMessage(),
                                known == null ? "" : " (its previous declarations stay in force)");
                        if (known != null) {
                            try {
                                seen.put(file, new DeclarationFile(Files.size(file), Files.getLastModifiedTime(file).toMillis(), known.datasets()));
                            } catch (IOException gone) {
                                seen.put(file, known);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                if (strict) {
                    throw new UncheckedIOException("Cannot read dataset declarations in " + directory.get(), e);
                }
                LOG.errorf("Cannot read dataset declarations in %s: %s", directory.get(), e.getMessage());
                return false;
            }
        }
        if (seen.equals(files) && !byName.isEmpty()) {
            return false;
        }
        files.clear();
        files.putAll(seen);
        Map<String, DatasetDefinition> datasets = new LinkedHashMap<>();
        Map<String, String> declaredIn = new LinkedHashMap<>();
        builtIn.forEach(d -> {
            datasets.put(d.name(), d);
            declaredIn.put(d.name(), BUILT_IN);
        });
        files.forEach((file, declared) -> declared.datasets().forEach(d -> {
            datasets.put(d.name(), d);
            declaredIn.put(d.name(), file.toString());
        }));
        boolean changed = !datasets.equals(byName);
        byName = java.util.Collections.unmodifiableMap(datasets);
        origins = Map.copyOf(declaredIn);
        // a declaration removed and put back later is checked afresh (its table may have been dropped meanwhile)
        stopped.keySet().retainAll(datasets.keySet());
        synced.keySet().retainAll(datasets.keySet());
        return changed;
    }

    private static boolean isDeclaration(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
    }

    /** Checks every dataset's table that is not known to match its current declaration (stopped ones again). */
    private void syncTables() {
        for (DatasetDefinition dataset : byName.values()) {
            if (!dataset.equals(synced.get(dataset.name()))) {
                try {
                    sync(dataset);
                } catch (SQLException | RuntimeException e) {
                    // the database is down, or not yet up: the next re-read (or the first load) tries again; said once
                    if (unchecked.add(dataset.name())) {
                        LOG.warnf("%s: table %s not checked yet: %s", dataset.name(), dataset.table(),
                                DatabaseOutage.isDatabaseFailure(e) ? "PostgreSQL is unreachable" : e.getMessage());
                    }
                }
            }
        }
    }

    /** Brings one dataset's table in line with its declaration, or stops the dataset. */
    private synchronized void sync(DatasetDefinition dataset) throws SQLException {
        if (dataset.equals(synced.get(dataset.name()))) {
            return;
        }
        String origin = origins.getOrDefault(dataset.name(), "?");
        try {
            DatasetTables.Outcome outcome = tables.sync(dataset, sharedColumns(dataset));
            if (outcome.created()) {
                LOG.infof("%s: created table %s from %s", dataset.name(), dataset.table(), origin);
            } else if (outcome.changed()) {
                LOG.infof("%s: table %s gained column(s) %s (%s)", dataset.name(), dataset.table(), outcome.addedColumns(), origin);
            }
            synced.put(dataset.name(), dataset);
            unchecked.remove(dataset.name());
            if (stopped.remove(dataset.name()) != null) {
                LOG.infof("%s: table %s matches its declaration again; the dataset loads", dataset.name(), dataset.table());
            }
        } catch (DatasetTables.RefusedChangeException e) {
            String reason = "declared in " + origin + ": " + e.getMessage() + "; the table is left as it is and nothing loads into it";
            if (!reason.equals(stopped.put(dataset.name(), reason))) {
                LOG.errorf("Dataset %s stopped: %s", dataset.name(), reason);
            }
            synced.remove(dataset.name());
            unchecked.remove(dataset.name());
        }
    }

    /** Columns other current declarations put into the same table. */
    private Set<String> sharedColumns(DatasetDefinition dataset) {
        Set<String> shared = new LinkedHashSet<>();
        byName.values().stream()
                .filter(other -> !other.name().equals(dataset.name()) && other.table().equals(dataset.table()))
                .forEach(other -> shared.addAll(other.columnNames()));
        return shared;
    }

    /**
     * Why the dataset cannot load now, or empty when its table is ready; checks the table first when that
     * has not been done for this declaration (the database was down at startup, or it just changed).
     */
    public Optional<String> stopReason(DatasetDefinition dataset) throws SQLException {
        if (!dataset.equals(synced.get(dataset.name())) && !stopped.containsKey(dataset.name())) {
            sync(dataset);
        }
        return Optional.ofNullable(stopped.get(dataset.name()));
    }

    /** As {@link #stopReason}, for loaders: throws when the dataset is stopped. */
    public void requireLoadable(DatasetDefinition dataset) throws SQLException {
        Optional<String> reason = stopReason(dataset);
        if (reason.isPresent()) {
            throw new DatasetStoppedException(dataset.name(), reason.get());
        }
    }

    /** Stopped datasets and why (for readiness). */
    public Map<String, String> stopped() {
        return new TreeMap<>(stopped);
    }

    /** The file that declares the dataset ("datasets.yaml" for the built-in ones). */
    public Optional<String> origin(String name) {
        return Optional.ofNullable(origins.get(name));
    }

    /** The dataset whose file patterns match this file name; the first declared wins. */
    public Optional<DatasetDefinition> forFile(String fileName) {
        Optional<DatasetDefinition> match = match(fileName);
        if (match.isEmpty() && readDirectory(false)) {
            // a declaration dropped in just before its first file: read it now rather than refuse the file
            match = match(fileName);
        }
        return match;
    }

    private Optional<DatasetDefinition> match(String fileName) {
        return byName.values().stream().filter(d -> d.matches(fileName)).findFirst();
    }

    public Optional<DatasetDefinition> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<DatasetDefinition> all() {
        return new ArrayList<>(byName.values());
    }
}
