package dev.sluice.backfill;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.ConflictException;
import dev.sluice.api.NotFoundException;
import dev.sluice.bucket.BucketPoller;
import dev.sluice.bucket.BucketSource;
import dev.sluice.bucket.BucketSources;
import dev.sluice.sources.PeriodParameters;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Backfills: a source polled period by period over a date range, with a per-period ledger in
 * PostgreSQL. Progress is readable while it runs; after a restart it resumes from the first
 * unfinished period (objects already stored are skipped by the object ledger, so a period redone
 * after a crash duplicates nothing); with continueOnFailure a failed period does not stop the rest.
 */
@ApplicationScoped
@Named("backfills")
public class Backfills {

    private static final Logger LOG = Logger.getLogger(Backfills.class);
    /** serializes the cap check and the insert of backfills (pg_advisory_xact_lock) */
    private static final long START_LOCK = 0x5_1C_E0_BACL;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    BucketSources sources;
    @Inject
    BucketPoller poller;
    @Inject
    dev.sluice.http.HttpSources httpSources;
    @Inject
    dev.sluice.http.HttpIngester httpIngester;
    /** periods not yet done (pending or running, in any backfill) one source may have */
    @ConfigProperty(name = "sluice.backfill.max-pending-per-source", defaultValue = "10000")
    int maxPendingPerSource;
    /** periods not yet done all sources together may have */
    @ConfigProperty(name = "sluice.backfill.max-pending-total", defaultValue = "50000")
    int maxPendingTotal;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sluice-backfill");
        t.setDaemon(true);
        return t;
    });

    /** POST /sources/{name}/backfills with {from, to, continueOnFailure}. */
    public Map<String, Object> start(String name, Map<String, Object> request) throws SQLException {
        if (request == null || request.get("from") == null || request.get("to") == null) {
            throw new BadRequestException("from and to are required, e.g. {\"from\": \"2024-01-01\", \"to\": \"2024-01-02\"}"
                                          + " or, for a water-year source, {\"from\": 2010, \"to\": 2024}");
        }
        boolean continueOnFailure = !Boolean.FALSE.equals(request.get("continueOnFailure"));
        List<String> periods;
        String fromText;
        String toText;
        var http = httpSources.named(name);
        if (http.isPresent()) {
            dev.sluice.http.Periods.Kind kind = http.get().period();
            if (kind == dev.sluice.http.Periods.Kind.GAUGE) {
                throw new BadRequestException("'" + name + "' fetches per gauge: it has no range of periods to backfill (POST /sources/"
                                              + name + "/runs refreshes the stale gauges, ?period=<gauge id> one)");
            }
            fromText = PeriodParameters.httpPeriod(kind, request.get("from"), "from");
            toText = PeriodParameters.httpPeriod(kind, request.get("to"), "to");
            if (toText.compareTo(fromText) < 0) {
                throw new BadRequestException("to (" + toText + ") is before from (" + fromText + ")");
            }
            int count = kind == dev.sluice.http.Periods.Kind.MONTH
                    ? (int) java.time.temporal.ChronoUnit.MONTHS.between(java.time.YearMonth.parse(fromText), java.time.YearMonth.parse(toText)) + 1
                    : kind == dev.sluice.http.Periods.Kind.LATEST ? 1 : Integer.parseInt(toText) - Integer.parseInt(fromText) + 1;
            refuseOverLimit(count);
            periods = dev.sluice.http.Periods.between(kind, fromText, toText);
        } else {
            BucketSource source = sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
            ZonedDateTime from = PeriodParameters.bucketTime(request.get("from"), "from");
            ZonedDateTime to = PeriodParameters.bucketTime(request.get("to"), "to");
            if (to.isBefore(from)) {
                throw new BadRequestException("to (" + to + ") is before from (" + from + ")");
            }
            fromText = from.toInstant().toString();
            toText = to.toInstant().toString();
            // counted before they are listed: a range of a million periods is refused without making the list
            long count = Duration.between(source.periodOf(from.toInstant()).toInstant(), to.toInstant()).toSeconds()
                         / source.period().toSeconds() + 1;
            refuseOverLimit(count);
            periods = source.periodsBetween(from, to).stream().map(p -> p.toInstant().toString()).toList();
        }
        long id;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                refuseOverPending(c, name, periods.size());
            } catch (RuntimeException | SQLException refused) {
                c.rollback();
                throw refused;
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    insert into backfill (source, period_from, period_to, continue_on_failure, status)
                    values (?, ?, ?, ?, 'running') returning id""")) {
                insert.setString(1, name);
                insert.setString(2, fromText);
                insert.setString(3, toText);
                insert.setBoolean(4, continueOnFailure);
                try (ResultSet row = insert.executeQuery()) {
                    row.next();
                    id = row.getLong(1);
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "insert into backfill_period (backfill_id, period, position, status) values (?, ?, ?, 'pending')")) {
                for (int i = 0; i < periods.size(); i++) {
                    insert.setLong(1, id);
                    insert.setString(2, periods.get(i));
                    insert.setInt(3, i);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
        LOG.infof("backfill %d of %s: %d periods from %s to %s", id, name, periods.size(), fromText, toText);
        submit(id);
        return progress(name, id);
    }

    /** POST /sources/{name}/backfills/{id}/retries: failed periods run again. */
    public Map<String, Object> retryFailed(String name, long id) throws SQLException {
        Map<String, Object> before = progress(name, id);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                refuseOverPending(c, name, ((Number) before.get("periodsFailed")).longValue());
            } catch (RuntimeException | SQLException refused) {
                c.rollback();
                throw refused;
            }
            try (PreparedStatement reset = c.prepareStatement("""
                    with periods as (update backfill_period set status = 'pending' where backfill_id = ? and status = 'failed')
                    update backfill set status = 'running', updated_at = now() where id = ?""")) {
                reset.setLong(1, id);
                reset.setLong(2, id);
                reset.executeUpdate();
            }
            c.commit();
        }
        submit(id);
        return progress(name, id);
    }

    /** More periods in one request than a source may have pending at all: 400, split the range. */
    private void refuseOverLimit(long count) {
        if (count > maxPendingPerSource || count > maxPendingTotal) {
            throw new BadRequestException(count + " periods: a backfill may have at most " + Math.min(maxPendingPerSource, maxPendingTotal)
                                          + " (sluice.backfill.max-pending-per-source / max-pending-total); split the range");
        }
    }

    /**
     * The periods not done yet (pending or running, of any backfill) of this source and of all
     * sources, plus {@code adding}, must stay within the limits: 409 otherwise. Runs in the
     * transaction that adds them, under a lock, so two requests cannot both pass.
     */
    private void refuseOverPending(Connection c, String name, long adding) throws SQLException {
        refuseOverLimit(adding);
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, START_LOCK);
            lock.execute();
        }
        try (PreparedStatement count = c.prepareStatement("""
                select count(*) filter (where b.source = ?), count(*)
                from backfill_period p join backfill b on b.id = p.backfill_id
                where p.status in ('pending', 'running')""")) {
            count.setString(1, name);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                long source = row.getLong(1);
                long total = row.getLong(2);
                if (source + adding > maxPendingPerSource) {
                    throw new ConflictException("'" + name + "' has " + source + " backfill periods pending; " + adding + " more would exceed "
                                                + maxPendingPerSource + " per source (sluice.backfill.max-pending-per-source): wait for them to finish");
                }
                if (total + adding > maxPendingTotal) {
                    throw new ConflictException(total + " backfill periods are pending; " + adding + " more would exceed " + maxPendingTotal
                                                + " in total (sluice.backfill.max-pending-total): wait for them to finish");
                }
            }
        }
    }

    void resume(@Observes StartupEvent started) throws SQLException {
        try (Connection c = dataSource.getConnection();
             ResultSet rows = c.createStatement().executeQuery("select id from backfill where status = 'running' order by id")) {
            while (rows.next()) {
                LOG.infof("resuming backfill %d", rows.getLong(1));
                submit(rows.getLong(1));
            }
        }
    }

    private void submit(long id) {
        worker.submit(() -> {
            try {
                run(id);
            } catch (Exception e) {
                LOG.errorf(e, "backfill %d stopped: %s", id, e.getMessage());
            }
        });
    }

    private void run(long id) throws Exception {
        String sourceName;
        boolean continueOnFailure;
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select source, continue_on_failure, status from backfill where id = ?")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !"running".equals(row.getString(3))) {
                    return;
                }
                sourceName = row.getString(1);
                continueOnFailure = row.getBoolean(2);
            }
        }
        boolean http = httpSources.named(sourceName).isPresent();
        BucketSource source = http ? null : poller.source(sourceName);
        Instant started = Instant.now();
        int doneThisRun = 0;
        String period;
        while ((period = nextPeriod(id)) != null) {
            update(id, period, "running", 0, 0, null);
            long objects = 0;
            long bytes = 0;
            String error = null;
            try {
                if (http) {
                    // fetched, unchanged (304) and not published (404) all complete a period; coverage tells them apart
                    Map<String, Object> fetched = httpIngester.ingest(sourceName, period);
                    if ("failed".equals(fetched.get("status"))) {
                        error = String.valueOf(fetched.get("error"));
                    } else {
                        objects = "fetched".equals(fetched.get("status")) ? 1 : 0;
                    }
                } else {
                    BucketPoller.PollResult result = poller.poll(source,
                            List.of(ZonedDateTime.parse(period.replace("Z", "+00:00")).withZoneSameInstant(ZoneOffset.UTC)), "backfill " + id);
                    if (!"success".equals(result.outcome())) {
                        error = result.failed() > 0 ? result.failed() + " objects failed" : "poll " + result.outcome();
                    }
                    objects = result.stored() + result.known();
                    bytes = result.bytes();
                }
            } catch (Exception e) {
                error = String.valueOf(e.getMessage());
            }
            update(id, period, error == null ? "done" : "failed", objects, bytes, error);
            doneThisRun++;
            Map<String, Object> progress = progress(sourceName, id);
            long remaining = ((Number) progress.get("periodsTotal")).longValue() - ((Number) progress.get("periodsDone")).longValue()
                             - ((Number) progress.get("periodsFailed")).longValue();
            Duration eta = Duration.between(started, Instant.now()).dividedBy(doneThisRun).multipliedBy(remaining);
            LOG.infof("backfill %d of %s: period %s/%s (%s) %s, %s objects, %s bytes so far, ETA %ds", id, sourceName,
                    progress.get("periodsDone"), progress.get("periodsTotal"), period, error == null ? "done" : "FAILED: " + error,
                    progress.get("objects"), progress.get("bytes"), eta.toSeconds());
            if (error != null && !continueOnFailure) {
                finish(id, "failed");
                return;
            }
        }
        Map<String, Object> progress = progress(sourceName, id);
        finish(id, ((Number) progress.get("periodsFailed")).longValue() == 0 ? "done" : "done-with-failures");
    }

    private String nextPeriod(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select period from backfill_period where backfill_id = ? and status in ('pending', 'running')
                     order by position limit 1""")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private void update(long id, String period, String status, long objects, long bytes, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     update backfill_period set status = ?, objects = ?, bytes = ?, last_error = ?,
                        attempts = attempts + case when ? = 'running' then 1 else 0 end,
                        started_at = case when ? = 'running' then now() else started_at end,
                        finished_at = case when ? = 'running' then null else now() end
                     where backfill_id = ? and period = ?""")) {
            update.setString(1, status);
            update.setLong(2, objects);
            update.setLong(3, bytes);
            update.setString(4, error);
            update.setString(5, status);
            update.setString(6, status);
            update.setString(7, status);
            update.setLong(8, id);
            update.setString(9, period);
            update.executeUpdate();
        }
    }

    private void finish(long id, String status) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("update backfill set status = ?, updated_at = now() where id = ?")) {
            update.setString(1, status);
            update.setLong(2, id);
            update.executeUpdate();
        }
        LOG.infof("backfill %d %s", id, status);
    }

    /** GET /sources/{name}/backfills/{id}. */
    public Map<String, Object> progress(String name, long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select b.source, b.period_from, b.period_to, b.status, b.continue_on_failure, b.created_at,
                            count(p.*) as total,
                            count(p.*) filter (where p.status = 'done') as done,
                            count(p.*) filter (where p.status = 'failed') as failed,
                            coalesce(sum(p.objects), 0) as objects, coalesce(sum(p.bytes), 0) as bytes,
                            min(p.period) filter (where p.status in ('pending', 'running')) as next_period,
                            extract(epoch from (max(p.finished_at) - min(p.started_at))) as busy_seconds
                     from backfill b left join backfill_period p on p.backfill_id = b.id
                     where b.id = ? group by b.id""")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next() || !row.getString("source").equals(name)) {
                    throw new NotFoundException("no backfill " + id + " of source '" + name + "'");
                }
                Map<String, Object> progress = new LinkedHashMap<>();
                progress.put("id", id);
                progress.put("source", name);
                progress.put("from", row.getString("period_from"));
                progress.put("to", row.getString("period_to"));
                progress.put("status", row.getString("status"));
                progress.put("continueOnFailure", row.getBoolean("continue_on_failure"));
                long total = row.getLong("total");
                long done = row.getLong("done");
                long failed = row.getLong("failed");
                progress.put("periodsTotal", total);
                progress.put("periodsDone", done);
                progress.put("periodsFailed", failed);
                progress.put("objects", row.getLong("objects"));
                progress.put("bytes", row.getLong("bytes"));
                progress.put("nextPeriod", row.getString("next_period"));
                double busy = row.getDouble("busy_seconds");
                long finished = done + failed;
                progress.put("etaSeconds", finished == 0 || total == finished ? null : Math.round(busy / finished * (total - finished)));
                return progress;
            }
        }
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
