package dev.sluice.http;

import dev.sluice.api.NotFoundException;
import dev.sluice.events.PipelineEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.ServiceStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs of an HTTP source asked for from Java (POST /sources/{name}/runs, a backfill's periods):
 * each period goes through the http-ingest route's period pipeline (direct:http-period), the very
 * steps a scheduled run takes, and its outcome comes back as a map (status fetched, not_modified,
 * not_available or failed; rowsLoaded; requests; error). Where that route is not deployed here (the
 * sources-api route file deployed alone) or is stopped, {@link HttpPeriodSteps} runs the same steps.
 */
@ApplicationScoped
@Named("httpIngester")
public class HttpIngester {

    static final String PERIOD_PIPELINE = "direct:http-period";
    static final String PERIOD_ROUTE = "http-period";

    @Inject
    HttpSources sources;
    @Inject
    DuePeriods duePeriods;
    @Inject
    ProducerTemplate producer;
    @Inject
    HttpPeriodSteps steps;

    public HttpSource source(String name) {
        return sources.named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
    }

    /** A run like a scheduled one: the periods {@link DuePeriods} gives for "current", "current-and-previous" or "stale". */
    public List<Map<String, Object>> scheduled(String sourceName, String periods) throws Exception {
        source(sourceName);
        List<Map<String, Object>> results = new ArrayList<>();
        for (String period : duePeriods.due(sourceName, periods)) {
            results.add(ingest(sourceName, period));
        }
        return results;
    }

    /**
     * One period through the route, or its steps without it. A failure other than the upstream's (the database refused the
     * rows, the bucket is down) is thrown: the period is not recorded as fetched and is fetched again.
     */
    public Map<String, Object> ingest(String sourceName, String period) throws Exception {
        return ingest(sourceName, period, false);
    }

    /**
     * As {@link #ingest(String, String)}; {@code force}: an operator's re-import — the GET goes without
     * validators and what comes is loaded (or stored) again even when the ledger has it; the run says "forced".
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> ingest(String sourceName, String period, boolean force) throws Exception {
        source(sourceName);
        ServiceStatus route = producer.getCamelContext().getRouteController().getRouteStatus(PERIOD_ROUTE);
        Map<String, Object> result;
        if (route == null || !route.isStarted()) {
            result = steps.run(sourceName, period, force);
        } else {
            Exchange done = producer.send(PERIOD_PIPELINE, exchange -> {
                exchange.getIn().setHeader(PipelineEvents.SOURCE, sourceName);
                exchange.getIn().setHeader(HttpRequests.PERIOD, period);
                exchange.getIn().setHeader(HttpRequests.FORCE, force);
            });
            Exception failure = done.getException();
            if (failure != null) {
                throw failure;
            }
            result = done.getMessage().getBody(Map.class);
        }
        if (force && result != null) {
            result = new java.util.LinkedHashMap<>(result);
            result.put("forced", true);
        }
        return result;
    }
}
