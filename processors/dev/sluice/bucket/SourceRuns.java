package dev.sluice.bucket;

import dev.sluice.api.NotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;

/** POST /sources/{name}/runs: one poll of a source now, whatever its schedule and enabled flag. */
@ApplicationScoped
@Named("sourceRuns")
public class SourceRuns {

    @Inject
    BucketSources sources;
    @Inject
    BucketPoller poller;

    /**
     * @param period optional: a date (2025-06-19) or time (2025-06-19T12:00:00Z) inside the one period
     *               to poll; without it, the periods due now
     */
    public BucketPoller.PollResult run(String name, String period) throws Exception {
        BucketSource source = sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
        if (period == null || period.isBlank()) {
            return poller.poll(source, source.periodsDue(Instant.now()), "run");
        }
        Instant at;
        try {
            at = period.length() == 10 ? java.time.LocalDate.parse(period).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(period).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new dev.sluice.api.BadRequestException("period: '" + period + "' is not a date (2025-06-19) or time (2025-06-19T12:00:00Z)");
        }
        return poller.poll(source, java.util.List.of(source.periodOf(at)), "run");
    }
}
