package dev.sluice.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts load attempts of landed files in table landing_attempt, durably and before the file is
 * read: an attempt that crashes Sluice (or runs it out of memory) is counted as surely as one that
 * fails. A file is known by its path, size and modification time, so a replaced file starts afresh.
 * Attempts cut short by a passing outage are forgiven (not counted); a failed attempt is retried after
 * a backoff that doubles (sluice.landing.retry-delay-ms, at most 5 minutes).
 */
@ApplicationScoped
public class LandingAttempts {

    private static final long MAX_BACKOFF_MS = 5 * 60_000;

    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "sluice.landing.retry-delay-ms", defaultValue = "1000")
    long retryDelayMs;

    /** Attempts to forgive that could not be written (the database was down): applied with the next attempt. */
    private final Set<String> forgiven = ConcurrentHashMap.newKeySet();

    /**
     * @param number    this attempt's number (1 for the first), counting attempts that failed or never finished
     * @param lastError why the previous attempt failed; null when it never finished (Sluice stopped while reading)
     */
    public record Attempt(int number, String lastError) {
    }

    /**
     * Counts an attempt (committed before this returns).
     *
     * @return the attempt, or null when the previous one failed too recently (its backoff is not over)
     */
    public Attempt begin(Path file, long size, Instant modified) throws SQLException {
        String key = key(file, size, modified);
        int forgive = forgiven.remove(key) ? 1 : 0;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement("""
                     insert into landing_attempt as a (path, size_bytes, modified_at, attempts) values (?, ?, ?, 1)
                     on conflict (path, size_bytes, modified_at) do update
                        set attempts = a.attempts + 1 - ?, last_attempt_at = now(), retry_after = null
                        where ? = 1 or a.retry_after is null or a.retry_after <= now()
                     returning attempts, last_error""")) {
            upsert.setString(1, file.toString());
            upsert.setLong(2, size);
            upsert.setTimestamp(3, at(modified));
            upsert.setInt(4, forgive);
            upsert.setInt(5, forgive);
            try (ResultSet row = upsert.executeQuery()) {
                return row.next() ? new Attempt(row.getInt(1), row.getString(2)) : null;
            }
        } catch (SQLException | RuntimeException e) {
            if (forgive == 1) {
                forgiven.add(key);
            }
            throw e;
        }
    }

    /** The attempt failed: remember why, and when the next one may start. */
    public void failed(Path file, long size, Instant modified, int attempt, String error) throws SQLException {
        long backoff = Math.min(MAX_BACKOFF_MS, retryDelayMs << Math.min(20, Math.max(0, attempt - 1)));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update landing_attempt set last_error = ?, retry_after = now() + make_interval(secs => ?)
                     where path = ? and size_bytes = ? and modified_at = ?""")) {
            update.setString(1, error);
            update.setDouble(2, backoff / 1000.0);
            update.setString(3, file.toString());
            update.setLong(4, size);
            update.setTimestamp(5, at(modified));
            update.executeUpdate();
        }
    }

    /**
     * The file cannot be loaded for a reason that is not its own (its dataset is stopped): the attempt does
     * not count, and the file is looked at again after {@code delayMs}, quietly meanwhile.
     */
    public void postpone(Path file, long size, Instant modified, long delayMs, String why) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update landing_attempt set attempts = greatest(attempts - 1, 0), last_error = ?,
                            retry_after = now() + make_interval(secs => ?)
                     where path = ? and size_bytes = ? and modified_at = ?""")) {
            update.setString(1, why);
            update.setDouble(2, delayMs / 1000.0);
            update.setString(3, file.toString());
            update.setLong(4, size);
            update.setTimestamp(5, at(modified));
            update.executeUpdate();
        }
    }

    /** The attempt was cut short by a passing outage: it does not count. */
    public void forgive(Path file, long size, Instant modified) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("""
                     update landing_attempt set attempts = greatest(attempts - 1, 0), retry_after = null
                     where path = ? and size_bytes = ? and modified_at = ?""")) {
            update.setString(1, file.toString());
            update.setLong(2, size);
            update.setTimestamp(3, at(modified));
            update.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            forgiven.add(key(file, size, modified));
        }
    }

    /** The file was loaded (in the caller's transaction) or left the inbox: its attempts are history. */
    public void clear(Connection connection, Path file) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("delete from landing_attempt where path = ?")) {
            delete.setString(1, file.toString());
            delete.executeUpdate();
        }
    }

    public void clear(Path file) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            clear(connection, file);
        }
    }

    /** Millisecond precision: what the file system's mtime reliably gives, and what PostgreSQL stores exactly. */
    private static Timestamp at(Instant modified) {
        return Timestamp.from(modified.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    private static String key(Path file, long size, Instant modified) {
        return file + "\u0000" + size + "\u0000" + modified.toEpochMilli();
    }
}
