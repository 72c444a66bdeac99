package dev.sluice.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The file/object ledger: one row per (source, identity, content). It is what makes a second
 * delivery of the same content a no-op and a crashed load visible as unfinished.
 */
@ApplicationScoped
@Named("fileLedger")
public class FileLedger {

    @Inject
    AgroalDataSource dataSource;

    /**
     * Finds or creates the entry for this content and locks it for the caller's transaction, so
     * that two instances given the same file load it once: the second waits, then sees it loaded.
     */
    public LedgerEntry claim(Connection connection, String source, String identity, String contentHash,
                             long sizeBytes, String dataset) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into file_ledger (source, identity, content_hash, size_bytes, dataset, status)
                values (?, ?, ?, ?, ?, 'loading')
                on conflict (source, identity, content_hash) do nothing""")) {
            insert.setString(1, source);
            insert.setString(2, identity);
            insert.setString(3, contentHash);
            insert.setLong(4, sizeBytes);
            insert.setString(5, dataset);
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement("""
                update file_ledger set attempts = attempts + 1, updated_at = now()
                where source = ? and identity = ? and content_hash = ?
                returning id, status, attempts, archive_key""")) {
            select.setString(1, source);
            select.setString(2, identity);
            select.setString(3, contentHash);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new LedgerEntry(row.getLong(1), row.getString(2), row.getInt(3), row.getString(4));
            }
        }
    }

    /** True when another content already uses this archive key (same name, different bytes). */
    public boolean archiveKeyTakenByOtherContent(Connection connection, String archiveKey, String contentHash) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "select 1 from file_ledger where archive_key = ? and content_hash <> ? limit 1")) {
            select.setString(1, archiveKey);
            select.setString(2, contentHash);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    public void markLoaded(Connection connection, long id, String archiveKey) throws SQLException {
        update(connection, "update file_ledger set status = 'loaded', archive_key = ?, last_error = null, updated_at = now() where id = ?",
                archiveKey, id);
    }

    /** Called by the route once the original's bytes are in the bucket. */
    public void markArchived(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            update(connection, "update file_ledger set status = 'archived', updated_at = now() where id = ?", null, id);
        }
    }

    /** Records a file that cannot be processed, creating its entry if it has none. */
    public long markRejected(String source, String identity, String contentHash, long sizeBytes, String dataset,
                             String reason) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement("""
                     insert into file_ledger (source, identity, content_hash, size_bytes, dataset, status, attempts, last_error)
                     values (?, ?, ?, ?, ?, 'rejected', 1, ?)
                     on conflict (source, identity, content_hash) do update
                        set status = 'rejected', attempts = file_ledger.attempts + 1, last_error = excluded.last_error,
                            updated_at = now()
                     returning id""")) {
            upsert.setString(1, source);
            upsert.setString(2, identity);
            upsert.setString(3, contentHash);
            upsert.setLong(4, sizeBytes);
            upsert.setString(5, dataset);
            upsert.setString(6, reason);
            try (ResultSet row = upsert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Remembers why an attempt failed (the file stays where it is and is tried again). */
    public void recordFailure(String source, String identity, String contentHash, String error) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update file_ledger set last_error = ?, attempts = attempts + 1, updated_at = now()
                     where source = ? and identity = ? and content_hash = ?""")) {
            update.setString(1, error);
            update.setString(2, source);
            update.setString(3, identity);
            update.setString(4, contentHash);
            update.executeUpdate();
        }
    }

    /**
     * Which of these keys (from one listing page) are already stored or being stored, as "key etag"
     * strings: one query per page, and no GET for any of them.
     */
    public java.util.Set<String> knownVersions(String source, java.util.Collection<String> keys, int claimTimeoutMinutes) throws SQLException {
        java.util.Set<String> known = new java.util.HashSet<>();
        if (keys.isEmpty()) {
            return known;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     select identity, content_hash from file_ledger
                     where source = ? and identity = any (?)
                       and (status = 'archived' or (status = 'loading' and updated_at > now() - make_interval(mins => ?)))""")) {
            select.setString(1, source);
            select.setArray(2, connection.createArrayOf("text", keys.toArray()));
            select.setInt(3, claimTimeoutMinutes);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    known.add(rows.getString(1) + " " + rows.getString(2));
                }
            }
        }
        return known;
    }

    /**
     * Claims one object version for transfer. Exactly one of several concurrent pollers gets the id;
     * a claim whose poller died is taken over after {@code claimTimeoutMinutes}.
     */
    public java.util.OptionalLong claimObject(String source, String key, String etag, long size, int claimTimeoutMinutes) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement claim = connection.prepareStatement("""
                     insert into file_ledger (source, identity, content_hash, size_bytes, status, attempts)
                     values (?, ?, ?, ?, 'loading', 1)
                     on conflict (source, identity, content_hash) do update
                        set status = 'loading', attempts = file_ledger.attempts + 1, updated_at = now()
                        where file_ledger.status <> 'archived'
                          and (file_ledger.status <> 'loading' or file_ledger.updated_at < now() - make_interval(mins => ?))
                     returning id""")) {
            claim.setString(1, source);
            claim.setString(2, key);
            claim.setString(3, etag);
            claim.setLong(4, size);
            claim.setInt(5, claimTimeoutMinutes);
            try (ResultSet row = claim.executeQuery()) {
                return row.next() ? java.util.OptionalLong.of(row.getLong(1)) : java.util.OptionalLong.empty();
            }
        }
    }

    public void markObjectStored(long id, String storageKey) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            update(connection, "update file_ledger set status = 'archived', archive_key = ?, last_error = null, updated_at = now() where id = ?",
                    storageKey, id);
        }
    }

    public void markObjectFailed(long id, String error) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            update(connection, "update file_ledger set status = 'failed', last_error = ?, updated_at = now() where id = ?", error, id);
        }
    }

    private static void update(Connection connection, String sql, String text, long id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            if (text != null) {
                statement.setString(i++, text);
            }
            statement.setLong(i, id);
            statement.executeUpdate();
        }
    }
}
