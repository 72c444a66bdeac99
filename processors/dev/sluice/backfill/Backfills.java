package dev.sluice.backfill;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.ConflictException;
import dev.sluice.api.NotFoundException;
import dev.sluice.sources.Source;
import dev.sluice.sources.SourceDriver;
import dev.sluice.sources.SourceDriver.PeriodOutcome;
import dev.sluice.sources.Sources;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backfills: a source polled period by period over a range, with a per-period ledger in
 * PostgreSQL. A request only records the backfill (within the pending-period caps); the
 * backfill-worker route of routes/sources-api.camel.yaml works it, on the leader only: it lists the
 * {@link #pendingPeriods() pending periods}, and for each one {@link #begin begins} it, {@link #poll
 * polls} it through its kind's driver and {@link #complete completes} it. Progress is readable while
 * it runs; whichever replica leads next resumes from the first unfinished period (objects already
 * stored are skipped by the object ledger, so a period redone after a crash duplicates nothing); with
 * continueOnFailure a failed period does not stop the rest.
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
    Sources sources;
    /** periods not yet done (pending or running, in any backfill) one source may have */
    @ConfigProperty(name = "sluice.backfill.max-pending-per-source", defaultValue = "10000")
    int maxPendingPerSource;
    /** periods not yet done all sources together may have */
    @ConfigProperty(name = "sluice.backfill.max-pending-total", defaultValue = "50000")
    int maxPendingTotal;

    /** One period of a running backfill, as the worker splits them. */
    public record BackfillPeriod(long backfillId, String source, String period, boolean continueOnFailure) {
    }

    /** A period and how its poll went. */
    public record PolledPeriod(BackfillPeriod period, PeriodOutcome outcome) {
    }

    /** POST /sources/{name}/backfills with {from, to, continueOnFailure}. */
    public Map<String, Object> start(String name, Map<String, Object> request) throws SQLException {
        if (request == null || request.get("from") == null || request.get("to") == null) {
            throw new BadRequestException("from and to are required, e.g. {\"from\": \"2024-01-01\", \"to\": \"2024-01-02\"}"
                                          + " or, for a water-year source, {\"from\": 2010, \"to\": 2024}");
        }
        boolean continueOnFailure = !Boolean.FALSE.equals(request.get("continueOnFailure"));
        Source source = sources.require(name);
        SourceDriver<Source> driver = sources.driver(source);
        SourceDriver.PeriodRange range = driver.range(source, request.get("from"), request.get("to"));
        refuseOverLimit(range.count());
        List<String> periods = driver.periods(source, range);
        String fromText = range.from();
        String toText = range.to();
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

    /**
     * The periods still to do of every running backfill, oldest backfill first, each in order. A
     * backfill that had been worked on before (by a replica that stopped or stopped leading, or
     * retried) is resumed; one with nothing left to do is finished.
     */
    public List<BackfillPeriod> pendingPeriods() throws SQLException {
        List<BackfillPeriod> periods = new ArrayList<>();
        List<Long> finished = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select b.id, b.source, b.continue_on_failure, p.period,
                            count(*) filter (where p.status in ('pending', 'running')) over (partition by b.id) as todo,
                            count(*) filter (where p.status <> 'pending') over (partition by b.id) as begun
                     from backfill b left join backfill_period p on p.backfill_id = b.id
                     where b.status = 'running' order by b.id, p.position""");
             ResultSet rows = select.executeQuery()) {
            long logged = -1;
            while (rows.next()) {
                long id = rows.getLong(1);
                if (rows.getLong(5) == 0) {
                    if (finished.isEmpty() || finished.get(finished.size() - 1) != id) {
                        finished.add(id);
                    }
                    continue;
                }
                if (id != logged) {
                    logged = id;
                    LOG.infof(rows.getLong(6) > 0 ? "resuming backfill %d of %s: %d periods to do" : "working backfill %d of %s: %d periods",
                            id, rows.getString(2), rows.getLong(5));
                }
                periods.add(new BackfillPeriod(id, rows.getString(2), rows.getString(4), rows.getBoolean(3)));
            }
        }
        for (long id : finished) {
            finishDone(id);
        }
        return periods.stream().filter(p -> p.period() != null).toList();
    }

    /**
     * Claims a period for this replica's worker: false when its backfill stopped (a failed period
     * without continueOnFailure), the period is done already, or this replica no longer leads (its
     * worker route is stopping: the next leader resumes from here).
     */
    public boolean begin(BackfillPeriod period, Exchange exchange) throws SQLException {
        ServiceStatus worker = exchange.getContext().getRouteController().getRouteStatus(exchange.getFromRouteId());
        if (worker != null && !worker.isStarted()) {
            return false;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     update backfill_period set status = 'running', attempts = attempts + 1, started_at = now(), finished_at = null
                     where backfill_id = ? and period = ? and status in ('pending', 'running')
                       and exists (select 1 from backfill where id = ? and status = 'running')""")) {
            update.setLong(1, period.backfillId());
            update.setString(2, period.period());
            update.setLong(3, period.backfillId());
            return update.executeUpdate() == 1;
        }
    }

    /** Polls the period through the driver of its source's kind (the kind's own poller). */
    public PolledPeriod poll(BackfillPeriod period) {
        PeriodOutcome outcome = sources.named(period.source())
                .map(source -> sources.driver(source).poll(source, period.period(), "backfill " + period.backfillId()))
                .orElseGet(() -> new PeriodOutcome(0, 0, "no source named '" + period.source() + "' any more"));
        return new PolledPeriod(period, outcome);
    }

    /** Records how the period went; finishes the backfill when it was its last one, or failed and may not go on. */
    public void complete(PolledPeriod polled) throws SQLException {
        BackfillPeriod period = polled.period();
        PeriodOutcome outcome = polled.outcome();
        long id = period.backfillId();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("""
                     update backfill_period set status = ?, objects = ?, bytes = ?, last_error = ?, finished_at = now()
                     where backfill_id = ? and period = ?""")) {
            update.setString(1, outcome.error() == null ? "done" : "failed");
            update.setLong(2, outcome.objects());
            update.setLong(3, outcome.bytes());
            update.setString(4, outcome.error());
            update.setLong(5, id);
            update.setString(6, period.period());
            update.executeUpdate();
        }
        Map<String, Object> progress = progress(period.source(), id);
        LOG.infof("backfill %d of %s: period %s/%s (%s) %s, %s objects, %s bytes so far, ETA %s", id, period.source(),
                progress.get("periodsDone"), progress.get("periodsTotal"), period.period(),
                outcome.error() == null ? "done" : "FAILED: " + outcome.error(), progress.get("objects"), progress.get("bytes"),
                progress.get("etaSeconds") == null ? "-" : progress.get("etaSeconds") + "s");
        if (outcome.error() != null && !period.continueOnFailure()) {
            finish(id, "failed");
        } else if (progress.get("nextPeriod") == null) {
            finishDone(id);
        }
    }

    /** A backfill with no period left to do: done, or done-with-failures. */
    private void finishDone(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select count(*) from backfill_period where backfill_id = ? and status = 'failed'")) {
            select.setLong(1, id);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                finish(id, row.getLong(1) == 0 ? "done" : "done-with-failures");
            }
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
}
