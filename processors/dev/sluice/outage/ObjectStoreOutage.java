package dev.sluice.outage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether archiving to the object store works, told in the log once when it starts failing and once
 * when an archive succeeds again (readiness says it all along: ObjectStoreHealthCheck). Files whose
 * archive failed stay in the inbox and are archived on a later poll.
 */
@ApplicationScoped
@Named("objectStoreOutage")
public class ObjectStoreOutage {

    private static final Logger LOG = Logger.getLogger(ObjectStoreOutage.class);

    private Instant since;

    public synchronized boolean isDown() {
        return since != null;
    }

    /** An archive (or another write to our bucket) failed. */
    public synchronized void failed(Throwable failure) {
        if (since != null) {
            LOG.debugf(failure, "object store still failing");
            return;
        }
        since = Instant.now();
        LOG.warnf("The object store fails (%s): loaded files stay in the inbox until their originals are archived; "
                  + "logged once, and once more when archiving works again", message(failure));
    }

    /** An archive succeeded. */
    public synchronized void succeeded() {
        if (since == null) {
            return;
        }
        LOG.warnf("The object store works again after %d s: waiting originals are archived now",
                Duration.between(since, Instant.now()).toSeconds());
        since = null;
    }

    private static String message(Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
