package dev.sluice.catalog;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.ConflictException;
import dev.sluice.api.NotFoundException;
import dev.sluice.api.QueryParameters;
import dev.sluice.bucket.S3Clients;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * POST/PUT/DELETE /catalog: catalog entries made by hand for objects already in our bucket (a
 * dataset someone uploaded). The object must exist: its size is read from the store. DELETE removes
 * the entry, not the object. Manual entries are never purged by retention.
 */
@ApplicationScoped
@Named("manualEntries")
public class ManualEntries {

    private static final Pattern SOURCE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    @Inject
    AgroalDataSource dataSource;
    @Inject
    S3Clients clients;
    @Inject
    CatalogQueries queries;
    @Inject
    dev.sluice.bucket.BucketSources bucketSources;
    @Inject
    dev.sluice.http.HttpSources httpSources;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** Where Sluice itself writes: landing and HTTP archives, bronze and silver Parquet. */
    static final java.util.List<String> OWN_PREFIXES = java.util.List.of("raw/", "bronze/", "silver/");

    public Map<String, Object> create(ManualEntry body) throws SQLException {
        Entry entry = read(body);
        long bytes = objectSize(entry.storageKey());
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into catalog (source, parameter, level, reference_time, forecast_hour, valid_time, storage_key, bytes, origin)
                     values (?, ?, ?, ?, ?, ?, ?, ?, 'manual') on conflict (storage_key) do nothing returning id""")) {
            bind(insert, entry);
            insert.setString(7, entry.storageKey());
            insert.setLong(8, bytes);
            try (ResultSet row = insert.executeQuery()) {
                if (!row.next()) {
                    throw new ConflictException("storageKey: '" + entry.storageKey() + "' is already in the catalog");
                }
                return queries.get(row.getLong(1));
            }
        }
    }

    public Map<String, Object> update(Object id, ManualEntry body) throws SQLException {
        long key = QueryParameters.id(id);
        Entry entry = read(body);
        long bytes = objectSize(entry.storageKey());
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update catalog set source = ?, parameter = ?, level = ?, reference_time = ?, forecast_hour = ?, valid_time = ?,
                            storage_key = ?, bytes = ?, version = version + 1
                     where id = ? and origin = 'manual' and purge_started_at is null""")) {
            bind(update, entry);
            update.setString(7, entry.storageKey());
            update.setLong(8, bytes);
            update.setLong(9, key);
            if (update.executeUpdate() == 0) {
                throw absentOrNotManual(key);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new ConflictException("storageKey: '" + entry.storageKey() + "' is already in the catalog");
            }
            throw e;
        }
        return queries.get(key);
    }

    public void delete(Object id) throws SQLException {
        long key = QueryParameters.id(id);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "delete from catalog where id = ? and origin = 'manual' and purge_started_at is null")) {
            delete.setLong(1, key);
            if (delete.executeUpdate() == 0) {
                throw absentOrNotManual(key);
            }
        }
    }

    /** Entries a source wrote are the source's (its ledger and retention rely on them): 409, not 404. */
    private RuntimeException absentOrNotManual(long id) throws SQLException {
        Map<String, Object> entry;
        try {
            entry = queries.get(id);
        } catch (NotFoundException e) {
            return e;
        }
        return new ConflictException("catalog entry " + id + " was written by source '" + entry.get("source")
                + "'; only manual entries can be changed or removed");
    }

    /** The entry checked: what JSON alone cannot say (required fields, names, keys, times, ranges). */
    private Entry read(ManualEntry body) {
        if (body == null) {
            throw new BadRequestException("a JSON object with source and storageKey is expected");
        }
        String source = string(body.source(), "source", true);
        if (!SOURCE.matcher(source).matches()) {
            throw new BadRequestException("source: '" + source + "' must be lower-case letters, digits, . _ - (at most 63)");
        }
        String storageKey = string(body.storageKey(), "storageKey", true);
        if (storageKey.startsWith("/") || storageKey.length() > 1024 || storageKey.contains("..")) {
            throw new BadRequestException("storageKey: must be a relative object key of at most 1024 characters");
        }
        String owner = ownPrefix(storageKey);
        if (owner != null) {
            throw new BadRequestException("storageKey: '" + storageKey + "' is under '" + owner + "', where Sluice keeps what it"
                                          + " stores itself (raw/, bronze/, silver/ and each source's prefix); a manual entry names an"
                                          + " object outside them");
        }
        Instant reference = null;
        String referenceText = string(body.referenceTime(), "referenceTime", false);
        if (referenceText != null) {
            try {
                reference = OffsetDateTime.parse(referenceText).toInstant();
            } catch (DateTimeParseException e) {
                throw new BadRequestException("referenceTime: '" + referenceText + "' is not a time like 2025-06-19T12:00:00Z");
            }
        }
        Integer forecastHour = body.forecastHour();
        if (forecastHour != null && (forecastHour < 0 || forecastHour > 10_000)) {
            throw new BadRequestException("forecastHour: must be a whole number from 0 to 10000");
        }
        return new Entry(source, storageKey, string(body.parameter(), "parameter", false), string(body.level(), "level", false),
                reference, forecastHour);
    }

    /** Sluice's own prefixes: raw/, bronze/, silver/, each bucket source's "<name>/" and each HTTP source's raw/http/<name>/ (or its prefix). */
    java.util.List<String> ownPrefixes() {
        java.util.List<String> prefixes = new java.util.ArrayList<>(OWN_PREFIXES);
        bucketSources.all().forEach(source -> prefixes.add(source.name() + "/"));
        httpSources.all().forEach(source -> prefixes.add(source.storagePrefix()));
        return prefixes;
    }

    /** The prefix of Sluice's own that {@code storageKey} is under (S3 keys are case-sensitive, and so is this), or null. */
    private String ownPrefix(String storageKey) {
        // "a//b" and "a/./b" are other keys to S3, but one path to anyone reading them: compare the plain form
        String plain = storageKey;
        for (String previous = null; !plain.equals(previous); ) {
            previous = plain;
            plain = plain.replaceAll("/+", "/").replaceAll("(^|/)\\./", "$1");
        }
        for (String prefix : ownPrefixes()) {
            if (storageKey.startsWith(prefix) || plain.startsWith(prefix)) {
                return prefix;
            }
        }
        return null;
    }

    private static String string(String value, String field, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new BadRequestException(field + ": required");
            }
            return null;
        }
        if (value.length() > 1024) {
            throw new BadRequestException(field + ": longer than 1024 characters");
        }
        return value;
    }

    private long objectSize(String storageKey) {
        try {
            HeadObjectResponse head = clients.storage().headObject(b -> b.bucket(bucket).key(storageKey));
            return head.contentLength();
        } catch (NoSuchKeyException e) {
            throw new BadRequestException("storageKey: no object '" + storageKey + "' in bucket " + bucket);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new BadRequestException("storageKey: no object '" + storageKey + "' in bucket " + bucket);
            }
            throw e;
        }
    }

    private static void bind(PreparedStatement statement, Entry entry) throws SQLException {
        statement.setString(1, entry.source());
        statement.setString(2, entry.parameter());
        statement.setString(3, entry.level());
        statement.setTimestamp(4, entry.referenceTime() == null ? null : Timestamp.from(entry.referenceTime()));
        if (entry.forecastHour() == null) {
            statement.setNull(5, Types.INTEGER);
        } else {
            statement.setInt(5, entry.forecastHour());
        }
        Instant valid = entry.referenceTime() == null ? null
                : entry.referenceTime().plusSeconds(3600L * (entry.forecastHour() == null ? 0 : entry.forecastHour()));
        statement.setTimestamp(6, valid == null ? null : Timestamp.from(valid));
    }

    private record Entry(String source, String storageKey, String parameter, String level, Instant referenceTime,
                         Integer forecastHour) {
    }
}
