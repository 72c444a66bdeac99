package dev.sluice.bucket;

import dev.sluice.events.PipelineEvents;
import dev.sluice.ledger.FileLedger;
import dev.sluice.metrics.IngestMetrics;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;

/**
 * Writes catalog rows; a new upstream ETag for a stored object counts as a new version. A row the
 * retention purge has marked is not taken over: its object is about to be deleted, so the write
 * fails and the object is copied again by a later poll, once the purge is done with the key.
 *
 * <p>As the catalogue stage of a poll it records what one transfer stored and marks the object
 * version archived in the ledger, both in the claim's transaction: from that commit on the version
 * counts as stored (the next poll's listing skips it), its catalog row is there, and its
 * object.stored event may be told.
 */
@ApplicationScoped
@Named("catalog")
public class Catalog {

    @Inject
    AgroalDataSource dataSource;
    @Inject
    IngestMetrics metrics;

    /** Route step (after the transfer): catalog rows and the ledger row archived, one commit; SluiceOutcome stored. */
    public void catalogue(Exchange exchange) throws SQLException {
        BucketPoll poll = exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class);
        catalogue(poll, exchange.getProperty(ObjectCopies.COPIED, ObjectCopies.Copied.class),
                exchange.getProperty(ObjectClaims.CLAIM, FileLedger.Claim.class));
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, ObjectClaims.STORED);
    }

    public void catalogue(BucketPoll poll, ObjectCopies.Copied copied, FileLedger.Claim claim) throws SQLException {
        // in the claim's transaction: the catalog rows and the archived ledger row commit at once,
        // one durable commit per object fewer than a transaction of their own
        claim.stored(copied.storageKey(), connection -> {
            for (CatalogEntry entry : copied.entries()) {
                record(connection, entry);
            }
        });
        metrics.file(poll.source().name(), copied.bytes());
    }

    public void record(CatalogEntry e) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            record(connection, e);
        }
    }

    private static void record(Connection connection, CatalogEntry e) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                     insert into catalog (source, parameter, level, reference_time, forecast_hour, valid_time, storage_key, bytes,
                                          upstream_bucket, upstream_key, upstream_etag, run_id)
                     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     on conflict (storage_key) do update
                        set bytes = excluded.bytes, upstream_etag = excluded.upstream_etag, run_id = excluded.run_id,
                            ingested_at = now(),
                            version = catalog.version + case when catalog.upstream_etag is distinct from excluded.upstream_etag then 1 else 0 end
                        where catalog.purge_started_at is null""")) {
            upsert.setString(1, e.source());
            upsert.setString(2, e.parameter());
            upsert.setString(3, e.level());
            upsert.setTimestamp(4, e.referenceTime() == null ? null : Timestamp.from(e.referenceTime()));
            if (e.forecastHour() == null) {
                upsert.setNull(5, Types.INTEGER);
            } else {
                upsert.setInt(5, e.forecastHour());
            }
            upsert.setTimestamp(6, e.validTime() == null ? null : Timestamp.from(e.validTime()));
            upsert.setString(7, e.storageKey());
            upsert.setLong(8, e.bytes());
            upsert.setString(9, e.upstreamBucket());
            upsert.setString(10, e.upstreamKey());
            upsert.setString(11, e.upstreamEtag());
            upsert.setLong(12, e.runId());
            if (upsert.executeUpdate() == 0) {
                throw new IllegalStateException(e.storageKey() + " is being purged; it is stored again by a later poll");
            }
        }
    }
}
