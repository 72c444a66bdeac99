package dev.sluice.routes;

import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Camel's route watcher, except that an edit which fails to build or start does not leave its file's
 * routes removed (Camel's own behaviour, with one WARN): the failed edit is reported as an ERROR and
 * the file's last applied content is loaded again, so the pipeline keeps running as it did.
 */
final class RefusingRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = Logger.getLogger(RefusingRouteReload.class);

    private final RouteFileEdits edits;
    /** The content each file's running routes were built from, by absolute path. */
    private final Map<Path, String> applied = new ConcurrentHashMap<>();

    RefusingRouteReload(String directory, RouteFileEdits edits) {
        super(directory);
        this.edits = edits;
        setPattern("*.camel.yaml");

        // only the edited file's routes are replaced; the other files' routes keep running
        setRemoveAllRoutes(false);
    }

    /** Camel's watcher reloads created and modified files only: deleted ones are looked for every 2 s. */
    private java.util.concurrent.ScheduledExecutorService deletions;

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        deletions = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "RouteFileDeletions");
        deletions.scheduleWithFixedDelay(this::removeDeleted, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        if (deletions != null) {
            getCamelContext().getExecutorServiceManager().shutdown(deletions);
        }
        super.doStop();
    }

    /** A route file that is gone: its routes are stopped and removed (a deleted source's file stops the source). */
    private void removeDeleted() {
        for (Path file : List.copyOf(applied.keySet())) {
            if (Files.exists(file)) {
                continue;
            }
            applied.remove(file);
            List<String> removed = new java.util.ArrayList<>();
            for (org.apache.camel.Route route : List.copyOf(getCamelContext().getRoutes())) {
                Resource source = route.getSourceResource();
                if (source != null && source.getLocation() != null && source.getLocation().startsWith("file:")
                    && Path.of(source.getLocation().substring("file:".length())).toAbsolutePath().normalize().equals(file)) {
                    removed.add(route.getRouteId());
                    // the route of the Kamelet it starts at (a source's poll) goes with it
                    if (route.getEndpoint() instanceof org.apache.camel.component.kamelet.KameletEndpoint kamelet) {
                        removed.add(kamelet.getRouteId());
                    }
                }
            }
            for (org.apache.camel.Route route : List.copyOf(getCamelContext().getRoutes())) {
                // and those of the Kamelets its steps call (kamelet: EIP, to: kamelet:)
                if (removed.contains(String.valueOf(route.getProperties().get(org.apache.camel.Route.PARENT_PROPERTY)))) {
                    removed.add(route.getRouteId());
                }
            }
            for (String route : removed) {
                try {
                    if (getCamelContext().getRoute(route) != null) {
                        getCamelContext().getRouteController().stopRoute(route);
                        getCamelContext().removeRoute(route);
                    }
                } catch (Exception e) {
                    LOG.errorf("Route file %s was deleted, but its route %s could not be removed: %s", file, route, reason(e));
                }
            }
            LOG.infof("Route file %s was deleted: its routes %s are removed", file, removed);
            edits.applied(file.getFileName().toString());
        }
    }

    void remember(Path file, String content) {
        applied.put(file.toAbsolutePath().normalize(), content);
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        if (resources == null || removeEverything) {
            super.onRouteReload(resources, removeEverything);
            return;
        }
        for (Resource resource : resources) {
            reload(resource);
        }
    }

    private void reload(Resource resource) {
        Path file = Path.of(resource.getURI()).toAbsolutePath().normalize();
        String name = file.getFileName().toString();
        String content;
        try {
            content = Files.exists(file) ? Files.readString(file) : null;
            if (content != null && content.isBlank()) {
                // created and not written yet (an editor or `cp` in progress): its next event brings the content
                LOG.debugf("Route file %s is empty, waiting for its content", file);
                return;
            }
            super.onRouteReload(List.of(resource), false);
        } catch (Exception e) {
            String reason = reason(e);
            edits.refused(name, reason);
            LOG.errorf("Route file %s was not applied, its previous version keeps running: %s", file, reason);
            restore(file, name);
            return;
        }
        if (content != null) {
            applied.put(file, content);
        }
        edits.applied(name);
    }

    /** Loads the file's last applied content again, under the file's own location. */
    private void restore(Path file, String name) {
        String previous = applied.get(file);
        if (previous == null) {
            return;
        }
        try {
            super.onRouteReload(List.of(ResourceHelper.fromString(file.toUri().toString(), previous)), false);
        } catch (Exception e) {
            LOG.errorf("Route file %s: its previous version could not be started again either: %s", name, reason(e));
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        StringBuilder reason = new StringBuilder(String.valueOf(e.getMessage()));
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
            if (cause.getMessage() != null && !reason.toString().contains(cause.getMessage())) {
                reason.append(": ").append(cause.getMessage());
            }
        }
        return reason.toString();
    }
}
