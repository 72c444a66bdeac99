package dev.sluice.http;

import dev.sluice.sources.Source;

import java.time.Duration;

/**
 * An HTTP source, one YAML file (type: http): per-period files at a URL template that feed a
 * declared dataset.
 *
 * @param url           template with {water_year}, {yyyy}, {mm}
 * @param period        water_year, year or month
 * @param dataset       the dataset declaration the files are loaded with
 * @param rateLimit     least time between two requests to the host
 * @param authHeader    header to send with a value from the environment variable {@code authEnv}, or null
 * @param schedules     when it runs and which periods each run fetches
 * @param refreshAfter  per-gauge sources: a gauge is fetched again once its last check is this old
 */
public record HttpSource(String name, String description, boolean enabled, String url, Periods.Kind period,
                         String dataset, Duration rateLimit, Duration timeout, int attempts,
                         String authHeader, String authEnv, java.util.List<Schedule> schedules, Duration refreshAfter)
        implements Source {

    @Override
    public java.util.List<String> crons() {
        return schedules.stream().map(Schedule::cron).toList();
    }

    /** The fetched files are archived under raw/http/&lt;source&gt;/ (and kept as long as its dataset's raw retention says). */
    @Override
    public String storagePrefix() {
        return "raw/http/" + name + "/";
    }

    /**
     * @param cron    5-field cron (seconds are always 0)
     * @param periods "current", "current-and-previous" (to pick up corrections) or, for per-gauge
     *                sources, "stale" (the known gauges not checked within refreshAfter)
     */
    public record Schedule(String cron, String periods) {
    }
}
