package dev.sluice.http;

import dev.sluice.api.BadRequestException;
import dev.sluice.bucket.CronSchedules;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.quartz.CronExpression;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * GET /sources/{name}/coverage: per period of an HTTP source whether it is complete, failed, not
 * available (yet) or missing, with rows and times — the status checker of the system Sluice replaces.
 */
@ApplicationScoped
@Named("httpCoverage")
public class HttpCoverage {

    @Inject
    HttpIngester ingester;
    @Inject
    AgroalDataSource dataSource;

    /** @param from first period to report (default: the earliest one Sluice has seen) */
    public Map<String, Object> coverage(String name, String from) throws SQLException {
        HttpSource source = ingester.source(name);
        Map<String, Map<String, Object>> seen = new HashMap<>();
        String earliest = null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select period, status, rows_loaded, bytes, attempts, last_error, fetched_at, checked_at
                     from http_resource where source = ? order by period""")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    Map<String, Object> period = new LinkedHashMap<>();
                    period.put("period", row.getString("period"));
                    String status = row.getString("status");
                    period.put("status", switch (status) {
                        case "fetched", "not_modified" -> "complete";
                        case "not_available" -> "not_available";
                        default -> "failed";
                    });
                    period.put("rows", row.getLong("rows_loaded"));
                    period.put("bytes", row.getLong("bytes"));
                    period.put("requests", row.getInt("attempts"));
                    period.put("lastError", row.getString("last_error"));
                    period.put("fetchedAt", row.getTimestamp("fetched_at") == null ? null : row.getTimestamp("fetched_at").toInstant().toString());
                    period.put("checkedAt", row.getTimestamp("checked_at").toInstant().toString());
                    seen.put(row.getString("period"), period);
                    earliest = earliest == null ? row.getString("period") : earliest;
                }
            }
        }
        List<Map<String, Object>> periods = new ArrayList<>();
        if (source.period() == Periods.Kind.GAUGE) {
            // per-gauge sources: the periods are the gauges Sluice has asked about
            seen.keySet().stream().sorted().forEach(gauge -> periods.add(seen.get(gauge)));
        } else {
            String current = Periods.current(source.period(), LocalDate.now(ZoneOffset.UTC));
            String first = from != null && !from.isBlank() ? dev.sluice.sources.PeriodParameters.httpPeriod(source.period(), from, "from")
                    : earliest != null ? earliest : current;
            try {
                for (String period : Periods.between(source.period(), first, current)) {
                    periods.add(seen.getOrDefault(period, Map.of("period", period, "status", "missing")));
                }
            } catch (RuntimeException e) {
                throw new BadRequestException("from: '" + from + "' is not a period like " + current);
            }
        }
        Map<String, Object> coverage = new LinkedHashMap<>();
        coverage.put("source", name);
        coverage.put("enabled", source.enabled());
        coverage.put("lastSuccess", seen.values().stream().filter(p -> "complete".equals(p.get("status")))
                .map(p -> (String) p.get("checkedAt")).max(String::compareTo).orElse(null));
        coverage.put("nextRun", source.enabled() ? nextRun(source) : null);
        for (String status : List.of("complete", "failed", "not_available", "missing")) {
            coverage.put(status, periods.stream().filter(p -> status.equals(p.get("status"))).map(p -> p.get("period")).toList());
        }
        coverage.put("periods", periods);
        return coverage;
    }

    private static String nextRun(HttpSource source) {
        Date next = null;
        for (HttpSource.Schedule schedule : source.schedules()) {
            try {
                CronExpression cron = new CronExpression(CronSchedules.toQuartz(schedule.cron()));
                cron.setTimeZone(TimeZone.getTimeZone("UTC"));
                Date candidate = cron.getNextValidTimeAfter(new Date());
                next = next == null || (candidate != null && candidate.before(next)) ? candidate : next;
            } catch (ParseException e) {
                throw new IllegalStateException(source.name() + ": " + e.getMessage(), e);
            }
        }
        return next == null ? null : next.toInstant().toString();
    }
}
