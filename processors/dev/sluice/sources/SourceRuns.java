package dev.sluice.sources;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** POST /sources/{name}/runs: one run of a source now, whatever its schedule and enabled flag. */
@ApplicationScoped
@Named("sourceRuns")
public class SourceRuns {

    @Inject
    Sources sources;

    /**
     * @param period optional: one period as the source's kind writes it (a date or time inside it for
     *               a bucket source, "2024" or "2024-03" for an HTTP source); without it, the periods due now
     */
    public Object run(String name, String period) throws Exception {
        return run(name, period, null);
    }

    /** @param force "true": a forced re-import (HTTP sources: no conditional GET, no ledger skip); absent or "false": a usual run */
    public Object run(String name, String period, String force) throws Exception {
        Source source = sources.require(name);
        return sources.driver(source).runNow(source, period, forced(force));
    }

    static boolean forced(String force) {
        if (force == null || force.isBlank() || force.equals("false")) {
            return false;
        }
        if (force.equals("true")) {
            return true;
        }
        throw new dev.sluice.api.BadRequestException("force: '" + (force.length() > 20 ? force.substring(0, 20) + "…" : force)
                                                     + "' is not true or false");
    }
}
