package dev.sluice.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

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

    /** Serialises work on one identity (e.g. an HTTP source's period) for the caller's transaction. */
    public void lockIdentity(Connection connection, String source, String identity) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "sluice-ledger:" + source + "/" + identity);
            lock.executeQuery().close();
        }
    }

    /** The content (hash) loaded last under this identity — the version the rows came from — or null. */
    public String lastLoadedContent(Connection connection, String source, String identity) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                select content_hash from file_ledger where source = ? and identity = ? and status in ('loaded', 'archived')
                order by updated_at desc, id desc limit 1""")) {
            select.setString(1, source);
            select.setString(2, identity);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
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
     * Which of these object versions (one listing page) are not stored yet: one query per page, and
     * no GET for the others. In the steady state the answer is empty, so little comes back.
     *
     * <p>Each listed version is one probe of the (source, identity, content_hash) unique index, whatever
     * the planner knows: the lateral subquery with LIMIT 1 can only run as a nested loop over the page.
     * Written as NOT EXISTS, a ledger without statistics yet (just filled by a first big poll or an
     * import, before autovacuum's ANALYZE) got a nested loop over a materialised scan of all the source's
     * rows once the driver switched to a server-prepared statement: quadratic, 7.4 s of a 9 s poll over
     * 20,000 stored keys (bench/bucket-bench.sh, JFR), where the probes take about 5 ms per 1,000 keys.
     *
     * @param versions key → version (ETag)
     * @return the keys whose version is not stored
     */
    public java.util.Set<String> unstoredVersions(String source, Map<String, String> versions) throws SQLException {
        java.util.Set<String> unstored = new java.util.HashSet<>();
        if (versions.isEmpty()) {
            return unstored;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     select listed.key from unnest(?::text[], ?::text[]) as listed (key, version)
                     left join lateral (select true as archived from file_ledger l
                                        where l.source = ? and l.identity = listed.key and l.content_hash = listed.version
                                          and l.status = 'archived' limit 1) stored on true
                     where stored.archived is null""")) {
            select.setArray(1, connection.createArrayOf("text", versions.keySet().toArray()));
            select.setArray(2, connection.createArrayOf("text", versions.values().toArray()));
            select.setString(3, source);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    unstored.add(rows.getString(1));
                }
            }
        }
        return unstored;
    }

    /**
     * Claims one object version for transfer: its ledger row stays locked (FOR UPDATE) in an open
     * transaction until the claim is closed. Of several pollers exactly one gets it (the others
     * SKIP LOCKED); if the holder dies its connection dies with it, the lock is gone, and the next
     * poll takes the object over at once.
     *
     * @return the claim, or empty when the version is stored already or another poller holds it
     */
    public java.util.Optional<Claim> claimObject(String source, String key, String etag, long size) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     insert into file_ledger (source, identity, content_hash, size_bytes, status)
                     values (?, ?, ?, ?, 'pending') on conflict (source, identity, content_hash) do nothing""")) {
            insert.setString(1, source);
            insert.setString(2, key);
            insert.setString(3, etag);
            insert.setLong(4, size);
            insert.executeUpdate();
        }
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("""
                    select id from file_ledger where source = ? and identity = ? and content_hash = ? and status <> 'archived'
                    for update skip locked""")) {
                lock.setString(1, source);
                lock.setString(2, key);
                lock.setString(3, etag);
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next()) {
                        connection.rollback();
                        connection.close();
                        return java.util.Optional.empty();
                    }
                    long id = row.getLong(1);
                    update(connection, "update file_ledger set status = 'loading', attempts = attempts + 1, updated_at = now() where id = ?", null, id);
                    return java.util.Optional.of(new Claim(connection, id));
                }
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** A locked ledger row of an object being transferred; closing it without an outcome releases it. */
    public static final class Claim implements AutoCloseable {

        private final Connection connection;
        private final long id;

        Claim(Connection connection, long id) {
            this.connection = connection;
            this.id = id;
        }

        public long id() {
            return id;
        }

        public void stored(String storageKey) throws SQLException {
            update(connection, "update file_ledger set status = 'archived', archive_key = ?, last_error = null, updated_at = now() where id = ?",
                    storageKey, id);
            connection.commit();
        }

        /**
         * Archived together with what {@code alongside} writes on this claim's connection: one commit
         * (one WAL flush) for both. If {@code alongside} fails, nothing of it stays and the claim is
         * still open, so {@link #failed} can record why.
         */
        public void stored(String storageKey, Alongside alongside) throws SQLException {
            java.sql.Savepoint before = connection.setSavepoint();
            try {
                alongside.write(connection);
            } catch (SQLException | RuntimeException e) {
                connection.rollback(before);
                throw e;
            }
            stored(storageKey);
        }

        /** Writes that commit with a claim's outcome. */
        @FunctionalInterface
        public interface Alongside {
            void write(Connection connection) throws SQLException;
        }

        public void failed(String error) throws SQLException {
            update(connection, "update file_ledger set status = 'failed', last_error = ?, updated_at = now() where id = ?", error, id);
            connection.commit();
        }

        @Override
        public void close() throws SQLException {
            try {
                connection.rollback();
            } finally {
                connection.close();
            }
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
