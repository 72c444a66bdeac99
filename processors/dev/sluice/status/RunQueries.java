package dev.sluice.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.Pages;
import dev.sluice.api.QueryParameters;
import dev.sluice.api.SqlFilter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Headers;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** GET /runs: recent runs (files, polls, fetches, purges), newest first, with filters. */
@ApplicationScoped
@Named("runQueries")
public class RunQueries {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource dataSource;

    /** Filters: source, kind, outcome, dataset, since/until (start time); page, size. */
    public Map<String, Object> list(@Headers Map<String, Object> headers) throws SQLException, JsonProcessingException {
        QueryParameters query = new QueryParameters(headers);
        SqlFilter filter = new SqlFilter()
                .and("source = ?", query.name("source"))
                .and("kind = ?", query.name("kind"))
                .and("outcome = ?", query.name("outcome"))
                .and("dataset = ?", query.name("dataset"))
                .and("started_at >= ?", query.instant("since"))
                .and("started_at < ?", query.instant("until"));
        Map<String, Object> page = Pages.query(dataSource, """
                        id, source, kind, subject, dataset, rows_read, rows_loaded, rows_rejected, bytes, started_at, finished_at,
                        duration_ms, outcome, message, summary::text summary""",
                "ingest_run", filter, "started_at desc, id desc", query.page());
        // a summary is JSON: hand it on as an object, not as a string
        for (Object item : (List<?>) page.get("items")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> run = (Map<String, Object>) item;
            if (run.get("summary") instanceof String json) {
                run.put("summary", JSON.readTree(json));
            }
        }
        return page;
    }
}
