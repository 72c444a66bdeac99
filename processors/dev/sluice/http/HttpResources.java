package dev.sluice.http;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The http_resource table: per period of an HTTP source, the validators to send next time and what
 * the last check came to (coverage reads it). Validators, rows and bytes change only with a fetch
 * that loaded; every check adds its requests and moves checked_at.
 */
@ApplicationScoped
public class HttpResources {

    @Inject
    AgroalDataSource dataSource;

    /** ETag and Last-Modified of the last successful fetch of this period (each may be null). */
    public String[] validators(String source, String period) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select etag, last_modified from http_resource where source = ? and period = ?")) {
            select.setString(1, source);
            select.setString(2, period);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new String[] {row.getString(1), row.getString(2)} : new String[2];
            }
        }
    }

    /** @param status fetched, not_modified, not_available or failed */
    public void remember(String source, String period, String url, String etag, String lastModified, String sha256, String status,
                         long rows, long bytes, int requests, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement upsert = c.prepareStatement("""
                     insert into http_resource as r (source, period, url, etag, last_modified, sha256, status, rows_loaded, bytes, attempts,
                                                     last_error, fetched_at, checked_at)
                     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? = 'fetched' then now() end, now())
                     on conflict (source, period) do update set url = excluded.url,
                        etag = case when excluded.status = 'fetched' then excluded.etag else r.etag end,
                        last_modified = case when excluded.status = 'fetched' then excluded.last_modified else r.last_modified end,
                        sha256 = coalesce(excluded.sha256, r.sha256), status = excluded.status,
                        rows_loaded = case when excluded.status = 'fetched' then excluded.rows_loaded else r.rows_loaded end,
                        bytes = case when excluded.status = 'fetched' then excluded.bytes else r.bytes end,
                        attempts = r.attempts + excluded.attempts, last_error = excluded.last_error,
                        fetched_at = coalesce(excluded.fetched_at, r.fetched_at), checked_at = now()""")) {
            upsert.setString(1, source);
            upsert.setString(2, period);
            upsert.setString(3, url);
            upsert.setString(4, etag);
            upsert.setString(5, lastModified);
            upsert.setString(6, sha256);
            upsert.setString(7, status);
            upsert.setLong(8, rows);
            upsert.setLong(9, bytes);
            upsert.setInt(10, requests);
            upsert.setString(11, error);
            upsert.setString(12, status);
            upsert.executeUpdate();
        }
    }
}
