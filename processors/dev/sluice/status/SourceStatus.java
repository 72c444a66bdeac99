package dev.sluice.status;

import dev.sluice.bucket.CronSchedules;
import dev.sluice.sources.Source;
import dev.sluice.sources.Sources;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.quartz.CronExpression;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /sources: every declared source, of every kind, with whether it is scheduled, when it runs
 * next, how its last runs went and how much it has stored.
 */
@ApplicationScoped
@Named("sourceStatus")
public class SourceStatus {

    /** run outcomes that count as a success, and as an error */
    private static final String SUCCESS = "('success', 'loaded', 'fetched', 'not_modified', 'not_available')";
    private static final String ERROR = "('failed', 'rejected', 'partial')";

    @Inject
    Sources sources;
    @Inject
    AgroalDataSource dataSource;

    public List<Map<String, Object>> list() throws SQLException {
        List<Map<String, Object>> result = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            for (Source source : sources.all()) {
                Map<String, Object> item = head(source.name(), source.kind().type(), source.description(), source.enabled(), source.crons());
                sources.driver(source).describe(source, connection, item);
                runs(connection, source.name(), item);
                result.add(item);
            }
        }
        return result;
    }

    private static Map<String, Object> head(String name, String type, String description, boolean enabled, List<String> schedules) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("name", name);
        item.put("type", type);
        item.put("description", description);
        item.put("enabled", enabled);
        item.put("schedule", schedules.size() == 1 ? schedules.get(0) : schedules);
        item.put("nextRun", enabled ? nextRun(schedules) : null);
        return item;
    }

    /**
     * The next time any of the schedules fires (in the scheduler's time zone, as Quartz runs them): an
     * HTTP source's 5-field crons, a bucket source route's cron as the cron component takes it.
     */
    static String nextRun(List<String> schedules) {
        Date next = null;
        for (String schedule : schedules) {
            try {
                Date candidate = new CronExpression(schedule.trim().split("\\s+").length == 5 ? CronSchedules.toQuartz(schedule) : schedule).getNextValidTimeAfter(new Date());
                if (candidate != null && (next == null || candidate.before(next))) {
                    next = candidate;
                }
            } catch (ParseException | IllegalArgumentException e) {
                return "invalid schedule '" + schedule + "': " + e.getMessage();
            }
        }
        return next == null ? null : next.toInstant().toString();
    }

    private static void runs(Connection connection, String source, Map<String, Object> item) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                select (select max(coalesce(finished_at, started_at)) from ingest_run
                        where source = ? and kind <> 'purge' and outcome in %s),
                       e.finished_at, e.outcome, e.message
                from (select 1) one
                left join lateral (select coalesce(finished_at, started_at) finished_at, outcome, message from ingest_run
                                   where source = ? and kind <> 'purge' and outcome in %s
                                   order by started_at desc limit 1) e on true""".formatted(SUCCESS, ERROR))) {
            select.setString(1, source);
            select.setString(2, source);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                item.put("lastSuccess", instant(row.getTimestamp(1)));
                item.put("lastError", row.getTimestamp(2) == null ? null
                        : Map.of("at", instant(row.getTimestamp(2)), "outcome", row.getString(3),
                        "message", String.valueOf(row.getString(4))));
            }
        }
    }

    private static String instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}
