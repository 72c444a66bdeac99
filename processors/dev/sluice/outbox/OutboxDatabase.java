package dev.sluice.outbox;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The database the outbox is in: Sluice's own, or another PostgreSQL (an application's) when
 * {@code SLUICE_OUTBOX_DB_URL} is set. The second pool is made at runtime from those variables, not
 * as a Quarkus named datasource, because a named datasource is fixed at build time and a Camel K
 * integration gets its settings only as environment variables of the running pod.
 */
@ApplicationScoped
public class OutboxDatabase {

    @Inject
    AgroalDataSource sluice;
    @ConfigProperty(name = "sluice.outbox.db.url")
    Optional<String> url;
    @ConfigProperty(name = "sluice.outbox.db.user")
    Optional<String> user;
    @ConfigProperty(name = "sluice.outbox.db.password")
    Optional<String> password;
    @ConfigProperty(name = "sluice.outbox.table")
    Optional<String> table;
    @ConfigProperty(name = "sluice.outbox.batch-table")
    Optional<String> batchTable;
    @ConfigProperty(name = "sluice.outbox.columns")
    Optional<String> columns;

    private AgroalDataSource external;

    /** Where the events are read, claimed and marked. */
    public synchronized DataSource dataSource() throws SQLException {
        Optional<String> configured = url.filter(u -> !u.isBlank());
        if (configured.isEmpty()) {
            return sluice;
        }
        if (external == null) {
            external = open(configured.get(), user.orElse(""), password.orElse(""));
        }
        return external;
    }

    /** The outbox's table and column names (sluice.outbox.table/batch-table/columns). */
    public OutboxTable table() {
        return OutboxTable.configured(table, batchTable, columns);
    }

    /**
     * A small pool on another PostgreSQL: the claim, and the two writer threads marking batches
     * (routes/outbox-bronze.camel.yaml's split).
     */
    public static AgroalDataSource open(String url, String user, String password) throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.minSize(0).maxSize(4).acquisitionTimeout(Duration.ofSeconds(30))
                        .connectionFactoryConfiguration(factory -> factory.jdbcUrl(url)
                                .principal(user.isEmpty() ? null : new NamePrincipal(user))
                                .credential(password.isEmpty() ? null : new SimplePassword(password)))));
    }

    @PreDestroy
    synchronized void close() {
        if (external != null) {
            external.close();
        }
    }
}
