package dev.sluice.sources;

import dev.sluice.api.BadRequestException;
import dev.sluice.bucket.BucketPoller;
import dev.sluice.bucket.BucketSource;
import dev.sluice.config.YamlFields;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * Bucket sources: one route file per source (its route starts at sluice-bucket-source), periods are times (a date or a
 * UTC time, aligned to the source's period), a period is polled by {@link BucketPoller}.
 */
@ApplicationScoped
@Named("bucketSourceDriver")
public class BucketSourceDriver implements SourceDriver<BucketSource> {

    @Inject
    BucketPoller poller;

    /** None made here: a bucket source's route file is its route. */
    @Override
    public Map<String, Map<String, Object>> routes(BucketSource source) {
        return Map.of();
    }

    /** Without a period, the periods due now; with one (a date or time), the period holding it. */
    @Override
    public Object runNow(BucketSource source, String period) throws Exception {
        if (period == null || period.isBlank()) {
            return poller.poll(source, source.periodsDue(Instant.now()), "run");
        }
        Instant at = PeriodParameters.bucketTime(period, "period").toInstant();
        return poller.poll(source, List.of(source.periodOf(at)), "run");
    }

    @Override
    public PeriodRange range(BucketSource source, Object fromValue, Object toValue) {
        ZonedDateTime from = PeriodParameters.bucketTime(fromValue, "from");
        ZonedDateTime to = PeriodParameters.bucketTime(toValue, "to");
        if (to.isBefore(from)) {
            throw new BadRequestException("to (" + to + ") is before from (" + from + ")");
        }
        // counted, not listed: a range of a million periods is refused without making the list
        long count = Duration.between(source.periodOf(from.toInstant()).toInstant(), to.toInstant()).toSeconds()
                     / source.period().toSeconds() + 1;
        return new PeriodRange(from.toInstant().toString(), to.toInstant().toString(), count);
    }

    @Override
    public List<String> periods(BucketSource source, PeriodRange range) {
        return source.periodsBetween(time(range.from()), time(range.to())).stream().map(p -> p.toInstant().toString()).toList();
    }

    @Override
    public PeriodOutcome poll(BucketSource source, String period, String subject) {
        try {
            BucketPoller.PollResult result = poller.poll(source, List.of(time(period)), subject);
            String error = "success".equals(result.outcome()) ? null
                    : result.failed() > 0 ? result.failed() + " objects failed" : "poll " + result.outcome();
            return new PeriodOutcome(result.stored() + result.known(), result.bytes(), error);
        } catch (Exception e) {
            return new PeriodOutcome(0, 0, String.valueOf(e.getMessage()));
        }
    }

    /** Its upstream bucket, retention, and the objects and bytes it has in the catalog. */
    @Override
    public void describe(BucketSource source, Connection connection, Map<String, Object> item) throws SQLException {
        item.put("upstream", "s3://" + source.bucket());
        item.put("retention", source.retention() == null ? null : YamlFields.format(source.retention()));
        try (PreparedStatement select = connection.prepareStatement(
                "select count(*), coalesce(sum(bytes), 0) from catalog where source = ? and purge_started_at is null")) {
            select.setString(1, source.name());
            try (ResultSet row = select.executeQuery()) {
                row.next();
                item.put("objects", row.getLong(1));
                item.put("bytes", row.getLong(2));
            }
        }
    }

    private static ZonedDateTime time(String instant) {
        return Instant.parse(instant).atZone(ZoneOffset.UTC);
    }
}
