package dev.sluice.outage;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Whether PostgreSQL can be reached, told in the log exactly twice per outage: one WARN when it
 * starts, one when it ends — not a stack trace per failed attempt of every route.
 *
 * <p>Anything that fails to reach the database (a route, the landing ingester, the connection pool)
 * reports it here; the report is checked with a probe (a connection and {@code isValid}), so a single
 * stale pooled connection does not count as an outage. While the database is down a probe runs
 * every {@code sluice.outage.probe-ms}; the first that succeeds ends the outage. Meanwhile the
 * landing route leaves files in the inbox without touching the database, other routes' failures are
 * handled quietly ({@link OutageRouteConfiguration}) and the pool's per-attempt warnings are dropped.
 */
@ApplicationScoped
@Named("databaseOutage")
public class DatabaseOutage {

    private static final Logger LOG = Logger.getLogger(DatabaseOutage.class);
    /** Kept referenced: the filter is set on this logger object. */
    private static java.util.logging.Logger poolLogger;

    @Inject
    AgroalDataSource dataSource;
    @ConfigProperty(name = "sluice.outage.probe-ms", defaultValue = "2000")
    long probeMs;

    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean down;
    private volatile Instant since;
    private volatile ScheduledExecutorService prober;

    void start(@Observes StartupEvent event) {
        prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sluice-database-probe");
            thread.setDaemon(true);
            return thread;
        });
        poolLogger = java.util.logging.Logger.getLogger("io.agroal.pool");
        Filter previous = poolLogger.getFilter();
        poolLogger.setFilter(record -> keepPoolRecord(record) && (previous == null || previous.isLoggable(record)));
    }

    void stop(@Observes ShutdownEvent event) {
        if (prober != null) {
            prober.shutdownNow();
        }
    }

    /** True while the database is known to be unreachable: callers skip work that needs it. */
    public boolean isDown() {
        return down;
    }

    /** True when this failure (or one of its causes) says the database cannot be reached, rather than that a statement failed. */
    public static boolean isDatabaseFailure(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") // connection exception
                        || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") // shutdown, crash, starting up
                        || state.equals("53300"))) { // too many connections
                    return true;
                }
                String message = String.valueOf(sql.getMessage());
                if (message.contains("cquisition timeout") || message.contains("This connection has been closed")) {
                    return true; // Agroal found no connection to give; a pooled connection the server dropped
                }
            }
        }
        return false;
    }

    /** Reports a failure to reach the database; checked by a probe before it is called an outage. */
    public void report(Throwable failure) {
        suspect(String.valueOf(rootMessage(failure)));
    }

    /** Route adapter (OutageRouteConfiguration): the exchange's caught exception. */
    public void report(org.apache.camel.Exchange exchange) {
        Throwable caught = exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, Throwable.class);
        report(caught == null ? exchange.getException() : caught);
    }

    private void suspect(String reason) {
        if (down || prober == null || !probing.compareAndSet(false, true)) {
            return;
        }
        LOG.debugf("checking whether PostgreSQL is down: %s", reason);
        prober.execute(() -> {
            try {
                String failure = probe();
                if (failure != null) {
                    begin(failure);
                }
            } finally {
                probing.set(false);
            }
        });
    }

    private synchronized void begin(String reason) {
        if (down) {
            return;
        }
        since = Instant.now();
        down = true;
        LOG.warnf("PostgreSQL is unreachable (%s): landed files wait in the inbox, work that needs the database is skipped; "
                  + "logged once, and once more when it is back", reason);
        flush();
        prober.schedule(this::probeUntilBack, probeMs, TimeUnit.MILLISECONDS);
    }

    private void probeUntilBack() {
        if (probe() == null) {
            flush(); // connections made before the outage are dead
            Duration lasted = Duration.between(since, Instant.now());
            down = false;
            LOG.warnf("PostgreSQL is reachable again after %d s: waiting files load now", lasted.toSeconds());
            return;
        }
        prober.schedule(this::probeUntilBack, probeMs, TimeUnit.MILLISECONDS);
    }

    /** One connection and a validity check; null when it worked, else why not. */
    private String probe() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2) ? null : "the connection is not valid";
        } catch (SQLException | RuntimeException e) {
            return String.valueOf(rootMessage(e));
        }
    }

    private void flush() {
        try {
            dataSource.flush(AgroalDataSource.FlushMode.GRACEFUL);
        } catch (RuntimeException e) {
            LOG.debug("flushing the pool failed", e);
        }
    }

    /**
     * The pool warns once per failed connection attempt. Those warnings are dropped: while the database
     * is down they say nothing new, and the first one is turned into a report (one WARN, from here).
     */
    private boolean keepPoolRecord(LogRecord record) {
        if (record.getLevel().intValue() < Level.WARNING.intValue()) {
            return true;
        }
        if (down) {
            return false;
        }
        String message = formatted(record);
        if (message.contains("leak") || message.contains("without transaction")) {
            return true;
        }
        suspect(message);
        return false;
    }

    private static String formatted(LogRecord record) {
        return String.valueOf(new java.util.logging.SimpleFormatter().formatMessage(record));
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        String message = null;
        int depth = 0;
        while (t != null && depth++ < 32) {
            if (t instanceof SQLException && t.getMessage() != null) {
                message = t.getMessage();
                break;
            }
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
            t = t.getCause();
        }
        return message == null ? String.valueOf(failure) : message;
    }
}
