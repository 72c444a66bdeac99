package dev.sluice.sources;

import dev.sluice.api.BadRequestException;
import dev.sluice.bucket.CronSchedules;
import dev.sluice.http.HttpIngester;
import dev.sluice.http.HttpSource;
import dev.sluice.http.Periods;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP sources: one route per schedule (ingest-&lt;source&gt;-&lt;n&gt;), periods are the
 * source's kind of period (a water year, a month, a gauge…), a period is fetched and loaded by
 * {@link HttpIngester}.
 */
@ApplicationScoped
@Named("httpSourceDriver")
public class HttpSourceDriver implements SourceDriver<HttpSource> {

    @Inject
    HttpIngester ingester;

    @Override
    public Map<String, Map<String, Object>> routes(HttpSource source) {
        Map<String, Map<String, Object>> routes = new LinkedHashMap<>();
        for (int i = 0; i < source.schedules().size(); i++) {
            HttpSource.Schedule schedule = source.schedules().get(i);
            routes.put("ingest-" + source.name() + "-" + (i + 1), Map.of("source", source.name(),
                    "timer", source.name() + "-" + (i + 1), "schedule", CronSchedules.toQuartz(schedule.cron()),
                    "periods", schedule.periods()));
        }
        return routes;
    }

    /** Without a period, the current one (for a per-gauge source: the stale gauges); with one, that period. */
    @Override
    public Object runNow(HttpSource source, String period) throws Exception {
        return runNow(source, period, false);
    }

    /** Forced: the period fetched without validators and loaded (or stored) again, whatever the ledger says. */
    @Override
    public Object runNow(HttpSource source, String period, boolean force) throws Exception {
        if (period == null || period.isBlank()) {
            if (source.period() == Periods.Kind.GAUGE) {
                if (force) {
                    throw new BadRequestException("force: name the gauge to re-import (?period=<gauge id>&force=true)");
                }
                return ingester.scheduled(source.name(), "stale");
            }
            return ingester.ingest(source.name(), Periods.current(source.period(), LocalDate.now(ZoneOffset.UTC)), force);
        }
        return ingester.ingest(source.name(), PeriodParameters.httpPeriod(source.period(), period, "period"), force);
    }

    @Override
    public PeriodRange range(HttpSource source, Object fromValue, Object toValue) {
        Periods.Kind kind = source.period();
        if (kind == Periods.Kind.GAUGE) {
            throw new BadRequestException("'" + source.name() + "' fetches per gauge: it has no range of periods to backfill (POST /sources/"
                                          + source.name() + "/runs refreshes the stale gauges, ?period=<gauge id> one)");
        }
        String from = PeriodParameters.httpPeriod(kind, fromValue, "from");
        String to = PeriodParameters.httpPeriod(kind, toValue, "to");
        if (to.compareTo(from) < 0) {
            throw new BadRequestException("to (" + to + ") is before from (" + from + ")");
        }
        long count = switch (kind) {
            case MONTH -> ChronoUnit.MONTHS.between(YearMonth.parse(from), YearMonth.parse(to)) + 1;
            case LATEST -> 1;
            default -> Long.parseLong(to) - Long.parseLong(from) + 1;
        };
        return new PeriodRange(from, to, count);
    }

    @Override
    public List<String> periods(HttpSource source, PeriodRange range) {
        return Periods.between(source.period(), range.from(), range.to());
    }

    /** Fetched, unchanged (304) and not published (404) all complete a period; coverage tells them apart. */
    @Override
    public PeriodOutcome poll(HttpSource source, String period, String subject) {
        try {
            Map<String, Object> fetched = ingester.ingest(source.name(), period);
            if ("failed".equals(fetched.get("status"))) {
                return new PeriodOutcome(0, 0, String.valueOf(fetched.get("error")));
            }
            return new PeriodOutcome("fetched".equals(fetched.get("status")) ? 1 : 0, 0, null);
        } catch (Exception e) {
            return new PeriodOutcome(0, 0, String.valueOf(e.getMessage()));
        }
    }

    /** The dataset it feeds (or, a download source, where it stores its files), the periods fetched and the rows loaded. */
    @Override
    public void describe(HttpSource source, Connection connection, Map<String, Object> item) throws SQLException {
        item.put("dataset", source.dataset());
        if (source.downloads()) {
            item.put("prefix", source.storagePrefix());
            item.put("unzip", source.unzip());
        }
        try (PreparedStatement select = connection.prepareStatement(
                "select count(*) filter (where status = 'fetched'), coalesce(sum(rows_loaded), 0) from http_resource where source = ?")) {
            select.setString(1, source.name());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                item.put("periodsFetched", row.getLong(1));
                item.put("rows", row.getLong(2));
            }
        }
    }
}
