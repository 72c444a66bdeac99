package dev.sluice.http;

import dev.sluice.sources.Source;

import java.time.Duration;

/**
 * An HTTP source, one YAML file (type: http): per-period files at a URL template that feed a
 * declared dataset or, declared without a dataset, are kept as files in our bucket (a download
 * source: the Kaggle fetcher's job).
 *
 * @param url           template with {water_year}, {yyyy}, {mm}, {gauge_id}
 * @param period        water_year, year, month, latest or gauge
 * @param dataset       the dataset declaration the files are loaded with, or null: a download source
 * @param rateLimit     least time between two requests to the host
 * @param auth          credentials sent with each request (basic auth, or a header from the environment)
 * @param schedules     when it runs and which periods each run fetches
 * @param refreshAfter  per-gauge sources: a gauge is fetched again once its last check is this old
 * @param prefix        download sources: where its files are kept in our bucket (ends with '/'), or null
 * @param unzip         download sources: a zip is stored as its members, not as itself
 * @param retention     download sources: how long stored files are kept (null: forever)
 */
public record HttpSource(String name, String description, boolean enabled, String url, Periods.Kind period,
                         String dataset, Duration rateLimit, Duration timeout, int attempts,
                         HttpAuth auth, java.util.List<Schedule> schedules, Duration refreshAfter,
                         String prefix, boolean unzip, Duration retention)
        implements Source {

    @Override
    public java.util.List<String> crons() {
        return schedules.stream().map(Schedule::cron).toList();
    }

    /**
     * A source feeding a dataset archives its files under raw/http/&lt;source&gt;/ (kept as long as
     * its dataset's raw retention says); a download source keeps them there too, or under its prefix.
     */
    @Override
    public String storagePrefix() {
        return prefix != null ? prefix : "raw/http/" + name + "/";
    }

    /** Declared without a dataset: what it fetches is stored and catalogued, not parsed. */
    public boolean downloads() {
        return dataset == null;
    }

    /**
     * @param cron    5-field cron (seconds are always 0)
     * @param periods "current", "current-and-previous" (to pick up corrections) or, for per-gauge
     *                sources, "stale" (the known gauges not checked within refreshAfter)
     */
    public record Schedule(String cron, String periods) {
    }
}
