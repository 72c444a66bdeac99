package dev.sluice.purge;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * Deletes a dataset's rows whose retention column is older than its row retention. Table and column
 * come from the dataset declaration, where they are checked to be plain SQL identifiers.
 */
@ApplicationScoped
public class DatasetRowPurge {

    @Inject
    AgroalDataSource dataSource;

    public PurgeCounts preview(PurgeTarget target, Instant cutoff) throws SQLException {
        return new PurgeCounts(0, 0, 0, 0, execute("select count(*) from %s where %s < ?", target, cutoff), 0);
    }

    /** The one batch of a dataset's rows: a single DELETE (rows, unlike objects, go in one statement). */
    Iterator<PurgeBatch> batches(PurgeRun run) {
        return List.of(new PurgeBatch(run, List.of())).iterator();
    }

    void deleteRows(PurgeBatch batch) throws SQLException {
        PurgeRun run = batch.run();
        batch.done(new PurgeCounts(0, 0, 0, 0, execute("delete from %s where %s < ?", run.target(), run.cutoff()), 0));
    }

    private long execute(String sql, PurgeTarget target, Instant cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.formatted(target.table(), target.column()))) {
            statement.setTimestamp(1, Timestamp.from(cutoff));
            if (statement.execute()) {
                try (ResultSet row = statement.getResultSet()) {
                    row.next();
                    return row.getLong(1);
                }
            }
            return statement.getUpdateCount();
        }
    }
}
