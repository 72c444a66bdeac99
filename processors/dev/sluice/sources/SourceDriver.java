package dev.sluice.sources;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * What differs by kind of source, behind one interface: the scheduled routes, a run now, the
 * periods of a backfill and how one of them is polled (through the kind's existing poller), and
 * what GET /sources shows. One CDI bean per kind, named in {@link SourceKind}.
 */
public interface SourceDriver<S extends Source> {

    /** The scheduled routes of an enabled source: route id → parameters of the kind's route template. */
    Map<String, Map<String, Object>> routes(S source);

    /** POST /sources/{name}/runs: one run now; {@code period} (optional) is one period as the API gives it. */
    Object runNow(S source, String period) throws Exception;

    /**
     * POST /sources/{name}/runs?force=true: a run that does not skip what is known (no conditional
     * request, no ledger skip). Kinds that cannot force answer 400.
     */
    default Object runNow(S source, String period, boolean force) throws Exception {
        if (force) {
            throw new dev.sluice.api.BadRequestException("force: '" + source.name() + "' is a " + source.kind().type()
                                                         + " source; force=true re-imports periods of HTTP sources");
        }
        return runNow(source, period);
    }

    /** A backfill's range as the API gives it ({@code from}, {@code to}), checked (400) and counted without listing it. */
    PeriodRange range(S source, Object from, Object to);

    /** The periods of a checked range, in order, as backfill_period rows keep them. */
    List<String> periods(S source, PeriodRange range);

    /** One backfill period, polled by the kind's poller; a failure is an outcome, not an exception. */
    PeriodOutcome poll(S source, String period, String subject);

    /** GET /sources: what the kind adds to a source's line (where it reads from, what it has stored). */
    void describe(S source, Connection connection, Map<String, Object> item) throws SQLException;

    /**
     * A backfill's first and last period as text, and how many periods lie between them.
     */
    record PeriodRange(String from, String to, long count) {
    }

    /**
     * @param objects objects (or files) the period holds now
     * @param bytes   bytes stored by this poll
     * @param error   why the period failed, or null
     */
    record PeriodOutcome(long objects, long bytes, String error) {
    }
}
