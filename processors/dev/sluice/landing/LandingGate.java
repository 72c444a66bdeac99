package dev.sluice.landing;

import dev.sluice.events.PipelineEvents;
import dev.sluice.ingest.RejectedFileException;
import dev.sluice.ledger.LandingAttempts;
import dev.sluice.outage.DatabaseOutage;
import dev.sluice.outage.ObjectStoreOutage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The first stage of the landing route: may this file be read now? Only while PostgreSQL is up (else
 * it waits, unopened), only a regular file of its own (a symlink, hard link or FIFO is refused without
 * being opened), and only with attempts left: each attempt is counted durably BEFORE the file is read,
 * so a file that fails — or stops Sluice — every time it is read goes to error/ after
 * sluice.landing.max-attempts instead of being read forever.
 *
 * <p>Failures never escape as ordinary exceptions (Camel would log a stack trace per poll): the file
 * waits ({@link FileWaitsException}, quiet) or is refused ({@link RejectedFileException} → error/).
 */
@ApplicationScoped
@Named("landingGate")
public class LandingGate {

    /** The source name of landed files in the ledger, the runs and the events. */
    public static final String SOURCE = "landing";
    /** Exchange property: the {@link LandedFile.Stat} the attempt was counted for. */
    static final String STAT = "SluiceLandedStat";
    /** Exchange property: the {@link LandingAttempts.Attempt} under way. */
    static final String ATTEMPT = "SluiceLandingAttempt";
    private static final Logger LOG = Logger.getLogger(LandingGate.class);

    @Inject
    LandingAttempts attempts;
    @Inject
    DatabaseOutage database;
    @Inject
    ObjectStoreOutage objectStore;

    @ConfigProperty(name = "sluice.landing.max-attempts", defaultValue = "5")
    int maxAttempts;

    /** Route step: admits the file the exchange carries (and counts the attempt), or throws why not. */
    public void admit(Exchange exchange) throws IOException, SQLException {
        Path file = file(exchange);
        if (database.isDown()) {
            throw new FileWaitsException("PostgreSQL is down"); // the outage was logged once
        }
        String refusal;
        LandedFile.Stat stat;
        try {
            refusal = LandedFile.refusal(file);
            stat = LandedFile.stat(file);
        } catch (NoSuchFileException gone) {
            throw new FileWaitsException("taken away meanwhile");
        }
        if (refusal != null) {
            throw new RejectedFileException(refusal); // → landingFileRejecter, which never opens it
        }
        LandingAttempts.Attempt attempt;
        try {
            attempt = attempts.begin(file, stat.size(), stat.modified());
        } catch (SQLException | RuntimeException e) {
            if (DatabaseOutage.isDatabaseFailure(e)) {
                database.report(e);
                throw new FileWaitsException("PostgreSQL is down");
            }
            throw e;
        }
        if (attempt == null) {
            throw new FileWaitsException("the last attempt failed recently: its backoff is not over");
        }
        if (attempt.number() > maxAttempts) {
            throw new RejectedFileException("failed in " + (attempt.number() - 1) + " attempts (sluice.landing.max-attempts); the last one: "
                    + (attempt.lastError() == null
                       ? "it never finished (Sluice stopped while reading the file: a crash, or out of memory?)"
                       : attempt.lastError()));
        }
        // while the object store is away a loaded file is retried every poll for its archive: not worth a line each time
        LOG.logf(objectStore.isDown() ? Logger.Level.DEBUG : Logger.Level.INFO, "Landed %s (%d bytes)%s", file.getFileName(), stat.size(),
                attempt.number() > 1 ? ", attempt " + attempt.number() + " of " + maxAttempts : "");
        exchange.setProperty(STAT, stat);
        exchange.setProperty(ATTEMPT, attempt);
        exchange.getIn().setHeader(PipelineEvents.SOURCE, SOURCE);
        exchange.getIn().setHeader(PipelineEvents.SUBJECT, file.getFileName().toString());
        exchange.getIn().setHeader(PipelineEvents.BYTES, stat.size());
    }

    /**
     * A later stage's attempt failed: an outage is forgiven (not counted) and logged once; anything else
     * counts, with one line in the log. Either way the file waits for a later poll.
     */
    FileWaitsException failed(Exchange exchange, Throwable e) {
        Path file = file(exchange);
        LandedFile.Stat stat = exchange.getProperty(STAT, LandedFile.Stat.class);
        LandingAttempts.Attempt attempt = exchange.getProperty(ATTEMPT, LandingAttempts.Attempt.class);
        if (DatabaseOutage.isDatabaseFailure(e)) {
            database.report(e);
            attempts.forgive(file, stat.size(), stat.modified());
            return new FileWaitsException("PostgreSQL is down");
        }
        String error = e instanceof OutOfMemoryError ? "out of memory: " + e.getMessage() : String.valueOf(e.getMessage());
        try {
            attempts.failed(file, stat.size(), stat.modified(), attempt.number(), error);
        } catch (SQLException | RuntimeException recording) {
            if (DatabaseOutage.isDatabaseFailure(recording)) {
                database.report(recording);
            }
        }
        LOG.warnf("%s: attempt %d of %d failed: %s%s", file.getFileName(), attempt.number(), maxAttempts, error,
                attempt.number() < maxAttempts ? "; it is tried again later" : "; it goes to error/ next");
        LOG.debugf(e, "%s: attempt %d failed", file.getFileName(), attempt.number());
        return new FileWaitsException("attempt " + attempt.number() + " failed: " + error);
    }

    /** This attempt was cut short by the object store (its archive failed): it does not count. */
    void forgive(Exchange exchange) {
        LandedFile.Stat stat = exchange.getProperty(STAT, LandedFile.Stat.class);
        if (stat != null) {
            attempts.forgive(file(exchange), stat.size(), stat.modified());
        }
    }

    static Path file(Exchange exchange) {
        return Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class));
    }
}
