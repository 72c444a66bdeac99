package dev.sluice.sources;

import dev.sluice.bucket.BucketPoller;
import dev.sluice.bucket.BucketSource;
import dev.sluice.bucket.BucketSources;

import dev.sluice.api.NotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Instant;

/** POST /sources/{name}/runs: one run of a source (bucket or HTTP) now, whatever its schedule and enabled flag. */
@ApplicationScoped
@Named("sourceRuns")
public class SourceRuns {

    @Inject
    BucketSources sources;
    @Inject
    BucketPoller poller;
    @Inject
    dev.sluice.http.HttpSources httpSources;
    @Inject
    dev.sluice.http.HttpIngester httpIngester;

    /**
     * @param period optional: a date (2025-06-19) or time (2025-06-19T12:00:00Z) inside the one period
     *               to poll; without it, the periods due now
     */
    public Object run(String name, String period) throws Exception {
        if (httpSources.named(name).isPresent()) {
            // an HTTP source: its current period unless one is given ("2024", "2024-03")
            dev.sluice.http.HttpSource http = httpSources.named(name).get();
            if (http.period() == dev.sluice.http.Periods.Kind.GAUGE && (period == null || period.isBlank())) {
                return httpIngester.scheduled(name, "stale");
            }
            return httpIngester.ingest(name, period == null || period.isBlank()
                    ? dev.sluice.http.Periods.current(http.period(), java.time.LocalDate.now(java.time.ZoneOffset.UTC))
                    : PeriodParameters.httpPeriod(http.period(), period, "period"));
        }
        BucketSource source = sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
        if (period == null || period.isBlank()) {
            return poller.poll(source, source.periodsDue(Instant.now()), "run");
        }
        Instant at = PeriodParameters.bucketTime(period, "period").toInstant();
        return poller.poll(source, java.util.List.of(source.periodOf(at)), "run");
    }
}
