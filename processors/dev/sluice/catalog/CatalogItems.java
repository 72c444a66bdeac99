package dev.sluice.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;

/** How a catalog row reads in the API. */
final class CatalogItems {

    /** the columns {@link #item} reads, in its order */
    static final String COLUMNS = """
            id, source, parameter, level, reference_time, forecast_hour, valid_time, storage_key, bytes,
            upstream_bucket, upstream_key, upstream_etag, version, ingested_at, origin""";

    private CatalogItems() {
    }

    static Map<String, Object> item(ResultSet row) throws SQLException {
        Map<String, Object> item = new LinkedHashMap<>();
        long id = row.getLong("id");
        item.put("id", id);
        item.put("source", row.getString("source"));
        item.put("parameter", row.getString("parameter"));
        item.put("level", row.getString("level"));
        item.put("referenceTime", instant(row.getTimestamp("reference_time")));
        item.put("forecastHour", row.getObject("forecast_hour"));
        item.put("validTime", instant(row.getTimestamp("valid_time")));
        item.put("storageKey", row.getString("storage_key"));
        item.put("bytes", row.getLong("bytes"));
        if (row.getString("upstream_key") != null) {
            item.put("upstream", Map.of("bucket", row.getString("upstream_bucket"), "key", row.getString("upstream_key"),
                    "etag", String.valueOf(row.getString("upstream_etag"))));
        }
        item.put("version", row.getInt("version"));
        item.put("ingestedAt", instant(row.getTimestamp("ingested_at")));
        item.put("origin", row.getString("origin"));
        item.put("download", "/catalog/" + id + "/content");
        return item;
    }

    private static String instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}
