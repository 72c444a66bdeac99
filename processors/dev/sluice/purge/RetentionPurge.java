package dev.sluice.purge;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.NotFoundException;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.metrics.IngestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;
import org.jboss.logging.Logger;

import java.sql.SQLException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The retention purge's run-level steps (routes/retention-purge.camel.yaml: the targets, a target's
 * begin / failure / record, the run's summary) and its dry run (GET /purge/preview). Every target
 * is purged on its own: one failing does not stop the others, and each records an ingest_run (kind
 * purge) with what it deleted, freed and failed to delete.
 */
@ApplicationScoped
@Named("retentionPurge")
public class RetentionPurge {

    private static final Logger LOG = Logger.getLogger(RetentionPurge.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** the purge pipeline in routes/retention-purge.camel.yaml: a list of targets in, the run's summary out */
    static final String PURGE_ROUTE = "purge-targets";
    static final String PURGE_ENDPOINT = "direct:purge-targets";

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
    @Inject
    ProducerTemplate producer;
    @Inject
    PurgeBatches batches;
    @Inject
    ObjectDeleter objectDeleter;
    @Inject
    PipelineEvents events;

    /** Route step: every target retention applies to (routes/retention-purge.camel.yaml). */
    public List<PurgeTarget> targets() {
        return targets.all();
    }

    /**
     * POST /purge/runs: purges one source or dataset (all of them when name is blank) now, through
     * the purge route of routes/retention-purge.camel.yaml (or its stages without it); the summary of the run.
     */
    public Map<String, Object> purge(String name) {
        List<PurgeTarget> selected = select(name);
        ServiceStatus route = producer.getCamelContext().getRouteController().getRouteStatus(PURGE_ROUTE);
        if (route == null || !route.isStarted()) {
            return purgeWithoutTheRoute(selected);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = producer.requestBody(PURGE_ENDPOINT, selected, Map.class);
        return summary;
    }

    /**
     * The stages of routes/retention-purge.camel.yaml (route purge-target), in this thread, batch after
     * batch, with the same beans. It exists because each route file deploys alone on Camel K: where
     * the status-api file runs without the retention-purge one (or its route is stopped), POST
     * /purge/runs still purges. Same order and outcome as the route: a failing target is recorded as
     * failed and the others go on.
     */
    private Map<String, Object> purgeWithoutTheRoute(List<PurgeTarget> selected) {
        List<PurgeRun> purged = new ArrayList<>();
        for (PurgeTarget target : selected) {
            PurgeRun run;
            try {
                run = begin(target);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open the purge run of " + target.name() + ": " + e.getMessage(), e);
            }
            try {
                for (Iterator<PurgeBatch> expired = batches.expired(run); expired.hasNext(); ) {
                    PurgeBatch batch = batches.deleteRows(objectDeleter.deleteObjects(expired.next()));
                    events.send("purge.batch", batch.getEvent());
                }
                batches.afterBatches(run);
            } catch (Exception e) {
                failed(run, e);
            }
            purged.add(record(run));
        }
        return summarize(purged);
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

    /** Route step: a target's purge begins: its cutoff is fixed and its ingest_run (kind purge) opened. */
    public PurgeRun begin(PurgeTarget target) throws SQLException {
        return new PurgeRun(target, Instant.now(), runs.begin(target.name(), "purge", target.kind().label));
    }

    /** Route step: a target's purge stopped on an error; the other targets go on, the next run takes it up again. */
    public PurgeRun failed(PurgeRun run, Exception error) {
        run.failed(String.valueOf(error.getMessage()));
        LOG.errorf(error, "Retention purge of %s (%s) failed; the next run takes it up again", run.target().name(), run.target().kind().label);
        return run;
    }

    /** Route step: a target's purge is over: its ingest_run says what it deleted, freed and failed to delete. */
    public PurgeRun record(PurgeRun run) {
        PurgeCounts counts = run.counts();
        Map<String, Object> item = describe(run.target(), run.cutoff(), counts, run.error());
        String outcome = run.outcome();
        try {
            runs.finish(run.runId(), 0, 0, 0, counts.bytes(), outcome, run.error());
            runs.summarize(run.runId(), JSON.writeValueAsString(item));
        } catch (Exception e) {
            LOG.errorf(e, "Cannot record the purge run of %s", run.target().name());
        }
        metrics.purged(run.target().name(), counts.objects(), counts.bytes(), counts.failed(), outcome,
                Duration.between(run.begun(), Instant.now()));
        if (counts.failed() > 0) {
            LOG.warnf("Retention purge of %s: %d objects could not be deleted; kept for the next run", run.target().name(), counts.failed());
        }
        return run;
    }

    /**
     * Route step: the run's summary from its targets' purges (an empty list: nothing has a retention),
     * logged in one line.
     */
    public Map<String, Object> summarize(List<?> purged) {
        List<Map<String, Object>> items = new ArrayList<>();
        PurgeCounts total = PurgeCounts.NONE;
        Instant started = Instant.now();
        for (Object element : purged) {
            PurgeRun run = (PurgeRun) element;
            items.add(describe(run.target(), run.cutoff(), run.counts(), run.error()));
            total = total.plus(run.counts());
            started = run.begun().isBefore(started) ? run.begun() : started;
        }
        Map<String, Object> summary = summary(items, total, Duration.between(started, Instant.now()));
        LOG.infof("Retention purge: %d objects (%d bytes), %d catalog rows, %d ledger rows, %d dataset rows deleted, %d failed",
                total.objects(), total.bytes(), total.catalogRows(), total.ledgerRows(), total.rows(), total.failed());
        return summary;
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
