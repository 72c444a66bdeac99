package dev.sluice.status;

import dev.sluice.api.Pages;
import dev.sluice.api.QueryParameters;
import dev.sluice.api.SqlFilter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Headers;

import java.sql.SQLException;
import java.util.Map;

/** GET /dead-letters: records that could not be loaded, where they came from and why; newest first. */
@ApplicationScoped
@Named("deadLetterQueries")
public class DeadLetterQueries {

    @Inject
    AgroalDataSource dataSource;

    /** Filters: source, dataset, file, run (ingest run id), since/until; page, size. */
    public Map<String, Object> list(@Headers Map<String, Object> headers) throws SQLException {
        QueryParameters query = new QueryParameters(headers);
        long run = query.number("run", 0, 0, Long.MAX_VALUE);
        SqlFilter filter = new SqlFilter()
                .and("source = ?", query.name("source"))
                .and("dataset = ?", query.name("dataset"))
                .and("file = ?", query.text("file"))
                .and("ingest_run_id = ?", run == 0 ? null : run)
                .and("created_at >= ?", query.instant("since"))
                .and("created_at < ?", query.instant("until"));
        return Pages.query(dataSource, "id, source, dataset, file, record_number, reason, raw_record, ingest_run_id, created_at",
                "dead_letter", filter, "created_at desc, id desc", query.page());
    }
}
