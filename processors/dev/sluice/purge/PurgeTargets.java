package dev.sluice.purge;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.sources.Source;
import dev.sluice.sources.Sources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * What retention applies to, read from the declarations: every source with a retention (what it
 * stored under its prefix: a bucket source's objects under &lt;source&gt;/), every dataset with a
 * raw retention (its archives under raw/&lt;dataset&gt;/ and under the prefixes of the sources
 * feeding it: raw/http/&lt;source&gt;/) and every dataset with a row retention. Whatever has no
 * retention is never purged.
 */
@ApplicationScoped
public class PurgeTargets {

    @Inject
    Sources sources;
    @Inject
    DatasetRegistry datasets;

    public List<PurgeTarget> all() {
        List<PurgeTarget> targets = new ArrayList<>();
        for (Source source : sources.all()) {
            if (source.retention() != null) {
                targets.add(new PurgeTarget(source.name(), PurgeTarget.Kind.OBJECTS, source.retention(),
                        List.of(source.storagePrefix()), null, null));
            }
        }
        for (DatasetDefinition dataset : datasets.all()) {
            DatasetDefinition.Retention retention = dataset.retention();
            if (retention.raw() != null) {
                List<String> prefixes = new ArrayList<>();
                prefixes.add("raw/" + dataset.name() + "/");
                sources.all().stream().filter(s -> dataset.name().equals(s.dataset()))
                        .map(Source::storagePrefix).forEach(prefixes::add);
                targets.add(new PurgeTarget(dataset.name(), PurgeTarget.Kind.RAW_ARCHIVES, retention.raw(), prefixes, null, null));
            }
            if (retention.rows() != null) {
                targets.add(new PurgeTarget(dataset.name(), PurgeTarget.Kind.ROWS, retention.rows(), List.of(),
                        dataset.table(), retention.rowsColumn()));
            }
        }
        return targets;
    }

    /** The targets of one source or dataset (empty when it has no retention). */
    public List<PurgeTarget> named(String name) {
        return all().stream().filter(t -> t.name().equals(name)).toList();
    }

    public boolean known(String name) {
        return sources.named(name).isPresent() || datasets.named(name).isPresent();
    }
}
