package dev.sluice.landing;

import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.LandingAttempts;
import dev.sluice.outage.DatabaseOutage;
import dev.sluice.outage.ObjectStoreOutage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The bookkeeping around the landing route's archive stage (the aws2-s3 producer writes the original):
 * once it is in the bucket the ledger says so; when the object store fails the file waits in the inbox
 * — loaded already, its rows committed — and its original is archived on a later poll, without another
 * run, another attempt or another line in the log (the outage is logged once).
 */
@ApplicationScoped
@Named("landingArchive")
public class LandingArchive {

    private static final Logger LOG = Logger.getLogger(LandingArchive.class);

    @Inject
    FileLedger ledger;
    @Inject
    LandingAttempts attempts;
    @Inject
    DatabaseOutage database;
    @Inject
    ObjectStoreOutage objectStore;
    @Inject
    LandingGate gate;

    /** Route step, after the original is in the bucket: the ledger says so, and the file's attempts are over. */
    public void archived(Exchange exchange) {
        objectStore.succeeded();
        Path file = LandingGate.file(exchange);
        try {
            ledger.markArchived(exchange.getIn().getHeader(LandingFileIngester.LEDGER_ID, Long.class));
            attempts.clear(file);
        } catch (SQLException | RuntimeException e) {
            // the next poll finds it loaded, not archived, and archives it again (same key, same bytes)
            if (DatabaseOutage.isDatabaseFailure(e)) {
                database.report(e);
            } else {
                LOG.warnf("%s: archived, but the ledger could not say so: %s; done again on the next poll", file.getFileName(), e.getMessage());
            }
            throw new FileWaitsException("archived, not yet in the ledger");
        }
    }

    /** Route adapter (onException of the archive step): the object store failed; the file waits and this attempt does not count. */
    public void failed(Exchange exchange) {
        objectStore.failed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        gate.forgive(exchange);
    }
}
