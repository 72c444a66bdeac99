package dev.sluice.bucket;

import dev.sluice.events.PipelineEvents;
import dev.sluice.ledger.FileLedger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.Optional;

/**
 * The ledger's side of one object version in a poll: claimed before its transfer (exactly one of
 * several pollers gets it: FileLedger.claimObject), marked failed when the transfer or its catalogue
 * entry fails (a later poll tries it again), and released at the end whatever happened. Between claim
 * and release the claim (an open ledger transaction) rides along as an exchange property.
 */
@ApplicationScoped
@Named("objectClaims")
public class ObjectClaims {

    private static final Logger LOG = Logger.getLogger(ObjectClaims.class);

    /** The exchange property holding an item's claim. */
    public static final String CLAIM = "SluiceClaim";
    /** Outcomes (SluiceOutcome) of one object version. */
    public static final String STORED = "stored";
    public static final String FAILED = "failed";
    /** Claimed, and let through by the source's route without being stored (its route file filtered it out). */
    public static final String SKIPPED = "skipped";
    public static final String CLAIMED_ELSEWHERE = "claimed-elsewhere";

    @Inject
    FileLedger ledger;

    /**
     * Route step (body: an ObjectVersion): sets the item's lineage headers, then claims it; an item
     * another poller holds gets SluiceOutcome claimed-elsewhere and is left to that poller.
     */
    public void claim(Exchange exchange) throws SQLException {
        BucketPoll poll = exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class);
        ObjectVersion object = exchange.getIn().getBody(ObjectVersion.class);
        exchange.getIn().setHeader(PipelineEvents.SOURCE, poll.source().name());
        exchange.getIn().setHeader(PipelineEvents.SUBJECT, object.key());
        exchange.getIn().setHeader(PipelineEvents.VERSION, object.version());
        exchange.getIn().setHeader(PipelineEvents.RUN_ID, poll.runId());
        Optional<FileLedger.Claim> claim = claim(poll, object);
        if (claim.isPresent()) {
            exchange.setProperty(CLAIM, claim.get());
        } else {
            exchange.getIn().setHeader(PipelineEvents.OUTCOME, CLAIMED_ELSEWHERE);
        }
    }

    public Optional<FileLedger.Claim> claim(BucketPoll poll, ObjectVersion object) throws SQLException {
        return ledger.claimObject(poll.source().name(), object.key(), object.version(), object.size());
    }

    /** Route step (doCatch): the item failed; its ledger row says so, and a later poll tries it again. */
    public void failed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        BucketPoll poll = exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class);
        ObjectVersion object = exchange.getIn().getBody(ObjectVersion.class);
        failed(poll, object, exchange.getProperty(CLAIM, FileLedger.Claim.class), cause);
        exchange.getIn().setHeader(PipelineEvents.OUTCOME, FAILED);
        exchange.getIn().setHeader(PipelineEvents.ERROR, String.valueOf(cause == null ? null : cause.getMessage()));
    }

    public void failed(BucketPoll poll, ObjectVersion object, FileLedger.Claim claim, Exception cause) {
        String message = String.valueOf(cause == null ? null : cause.getMessage());
        LOG.warnf("%s: %s not stored, will retry on a later poll: %s", poll.source().name(), object == null ? "?" : object.key(), message);
        if (claim != null) {
            try {
                claim.failed(message);
            } catch (SQLException e) {
                LOG.warnf("%s: cannot record the failure of %s: %s", poll.source().name(), object == null ? "?" : object.key(), e.getMessage());
            }
        }
    }

    /** Route step (doFinally): ends the claim's transaction and gives its connection back. */
    public void release(Exchange exchange) {
        release(exchange.removeProperty(CLAIM) instanceof FileLedger.Claim claim ? claim : null);
    }

    public void release(FileLedger.Claim claim) {
        if (claim != null) {
            try {
                claim.close();
            } catch (SQLException e) {
                LOG.debugf(e, "closing a ledger claim");
            }
        }
    }
}
