package dev.sluice.catalog;

import dev.sluice.api.NotFoundException;
import dev.sluice.api.Pages;
import dev.sluice.api.QueryParameters;
import dev.sluice.api.SqlFilter;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Headers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * GET /catalog and GET /catalog/{id}: the catalog of stored objects. Rows a purge has started on
 * are not listed: their object may already be gone.
 */
@ApplicationScoped
@Named("catalogQueries")
public class CatalogQueries {

    /** sort parameter → ORDER BY (the only texts that reach the SQL) */
    private static final Map<String, String> SORTS = Map.of(
            "referenceTime", "reference_time %s nulls last, id %1$s",
            "validTime", "valid_time %s nulls last, id %1$s",
            "ingestedAt", "ingested_at %s, id %1$s",
            "bytes", "bytes %s, id %1$s",
            "id", "id %s");

    @Inject
    AgroalDataSource dataSource;

    /**
     * Filters: source, parameter, level, from/to (reference time, from inclusive, to exclusive),
     * origin; sort (referenceTime, validTime, ingestedAt, bytes, id) and order (asc, desc); page, size.
     */
    public Map<String, Object> list(@Headers Map<String, Object> headers) throws SQLException {
        QueryParameters query = new QueryParameters(headers);
        SqlFilter filter = new SqlFilter().and("purge_started_at is null")
                .and("source = ?", query.name("source"))
                .and("parameter = ?", query.name("parameter"))
                .and("level = ?", query.text("level"))
                .and("reference_time >= ?", query.instant("from"))
                .and("reference_time < ?", query.instant("to"))
                .and("origin = ?", query.oneOf("origin", null, List.of("poll", "manual")));
        String sort = query.oneOf("sort", "referenceTime", List.copyOf(SORTS.keySet()));
        String order = query.oneOf("order", "desc", List.of("asc", "desc"));
        QueryParameters.Page page = query.page();
        return Pages.query(dataSource, CatalogItems.COLUMNS, "catalog", filter, SORTS.get(sort).formatted(order), page,
                CatalogItems::item);
    }

    public Map<String, Object> get(Object id) throws SQLException {
        long key = QueryParameters.id(id);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select " + CatalogItems.COLUMNS + " from catalog where id = ? and purge_started_at is null")) {
            select.setLong(1, key);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw new NotFoundException("no catalog entry " + key);
                }
                return CatalogItems.item(row);
            }
        }
    }

    /** The storage key of an available entry. */
    public String storageKey(Object id) throws SQLException {
        return (String) get(id).get("storageKey");
    }
}
