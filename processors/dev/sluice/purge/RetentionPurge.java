package dev.sluice.purge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.NotFoundException;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retention purge (routes/retention-purge.camel.yaml) and its dry run (GET /purge/preview).
 * Every target is purged on its own: one failing does not stop the others, and each records an
 * ingest_run (kind purge) with what it deleted, freed and failed to delete.
 */
@ApplicationScoped
@Named("retentionPurge")
public class RetentionPurge {

    private static final Logger LOG = Logger.getLogger(RetentionPurge.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    PurgeTargets targets;
    @Inject
    SourceObjectsPurge sourceObjects;
    @Inject
    RawArchivePurge rawArchives;
    @Inject
    DatasetRowPurge datasetRows;
    @Inject
    IngestRuns runs;
    @Inject
    IngestMetrics metrics;

    /** Purges every target; the summary of the whole run. */
    public Map<String, Object> purgeAll() {
        return purge(targets.all());
    }

    /** Purges one source or dataset (all of them when name is blank). */
    public Map<String, Object> purge(String name) {
        return purge(select(name));
    }

    /** What a purge now would delete, per target and in total; deletes nothing. */
    public Map<String, Object> preview(String name) throws Exception {
        Instant now = Instant.now();
        List<Map<String, Object>> items = new ArrayList<>();
        PurgeCounts total = PurgeCounts.NONE;
        for (PurgeTarget target : select(name)) {
            Instant cutoff = target.cutoff(now);
            PurgeCounts counts = switch (target.kind()) {
                case OBJECTS -> sourceObjects.preview(target, cutoff);
                case RAW_ARCHIVES -> rawArchives.preview(target, cutoff);
                case ROWS -> datasetRows.preview(target, cutoff);
            };
            total = total.plus(counts);
            items.add(describe(target, cutoff, counts, null));
        }
        return summary(items, total, null);
    }

    private List<PurgeTarget> select(String name) {
        if (name == null || name.isBlank()) {
            return targets.all();
        }
        if (!targets.known(name)) {
            throw new NotFoundException("no source or dataset named '" + name + "'");
        }
        return targets.named(name);
    }

    private Map<String, Object> purge(List<PurgeTarget> selected) {
        Instant started = Instant.now();
        List<Map<String, Object>> items = new ArrayList<>();
        PurgeCounts total = PurgeCounts.NONE;
        for (PurgeTarget target : selected) {
            Instant begun = Instant.now();
            Instant cutoff = target.cutoff(begun);
            PurgeCounts counts = PurgeCounts.NONE;
            String error = null;
            try {
                counts = switch (target.kind()) {
                    case OBJECTS -> sourceObjects.purge(target, cutoff);
                    case RAW_ARCHIVES -> rawArchives.purge(target, cutoff);
                    case ROWS -> datasetRows.purge(target, cutoff);
                };
            } catch (Exception e) {
                error = String.valueOf(e.getMessage());
                LOG.errorf(e, "Retention purge of %s (%s) failed; the next run takes it up again", target.name(), target.kind().label);
            }
            total = total.plus(counts);
            Map<String, Object> item = describe(target, cutoff, counts, error);
            items.add(item);
            record(target, begun, counts, error, item);
            if (counts.failed() > 0) {
                LOG.warnf("Retention purge of %s: %d objects could not be deleted; kept for the next run", target.name(), counts.failed());
            }
        }
        Map<String, Object> summary = summary(items, total, Duration.between(started, Instant.now()));
        LOG.infof("Retention purge: %d objects (%d bytes), %d catalog rows, %d ledger rows, %d dataset rows deleted, %d failed",
                total.objects(), total.bytes(), total.catalogRows(), total.ledgerRows(), total.rows(), total.failed());
        return summary;
    }

    private void record(PurgeTarget target, Instant begun, PurgeCounts counts, String error, Map<String, Object> item) {
        Instant finished = Instant.now();
        String outcome = error != null ? "failed" : counts.failed() > 0 ? "partial" : "purged";
        try {
            long runId = runs.record(new IngestRun(target.name(), "purge", target.kind().label, null, null,
                    0, 0, 0, counts.bytes(), begun, finished, outcome, error));
            runs.summarize(runId, JSON.writeValueAsString(item));
        } catch (Exception e) {
            LOG.errorf(e, "Cannot record the purge run of %s", target.name());
        }
        metrics.purged(target.name(), counts.objects(), counts.bytes(), counts.failed(), outcome, Duration.between(begun, finished));
    }

    private static Map<String, Object> describe(PurgeTarget target, Instant cutoff, PurgeCounts counts, String error) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", target.name());
        item.put("kind", target.kind().label);
        item.put("retention", dev.sluice.config.YamlFields.format(target.retention()));
        item.put("cutoff", cutoff.toString());
        if (!target.prefixes().isEmpty()) {
            item.put("prefixes", target.prefixes());
        }
        if (target.table() != null) {
            item.put("table", target.table());
        }
        putCounts(item, counts);
        if (error != null) {
            item.put("error", error);
        }
        return item;
    }

    private static Map<String, Object> summary(List<Map<String, Object>> items, PurgeCounts total, Duration duration) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("targets", items);
        Map<String, Object> totals = new LinkedHashMap<>();
        putCounts(totals, total);
        summary.put("total", totals);
        if (duration != null) {
            summary.put("durationMs", duration.toMillis());
        }
        return summary;
    }

    private static void putCounts(Map<String, Object> map, PurgeCounts counts) {
        map.put("objects", counts.objects());
        map.put("bytes", counts.bytes());
        map.put("catalogRows", counts.catalogRows());
        map.put("ledgerRows", counts.ledgerRows());
        map.put("rows", counts.rows());
        map.put("failed", counts.failed());
    }
}
