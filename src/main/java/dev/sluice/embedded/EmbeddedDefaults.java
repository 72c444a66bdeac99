package dev.sluice.embedded;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts an embedded PostgreSQL and/or S3 server for whatever the environment does not configure,
 * and publishes their coordinates as the same SLUICE_* settings a user would set. There is no
 * fallback: once SLUICE_DB_URL (or SLUICE_S3_ENDPOINT) is set, nothing embedded starts for it and an
 * unreachable server is a startup error.
 */
public final class EmbeddedDefaults implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDefaults.class);

    private final List<AutoCloseable> started = new ArrayList<>();

    public static EmbeddedDefaults startWhatIsNotConfigured(Map<String, String> environment) throws IOException {
        EmbeddedDefaults defaults = new EmbeddedDefaults();
        Path dataDirectory = Path.of(setting(environment, "SLUICE_DATA_DIR", "data"));
        boolean database = setting(environment, "SLUICE_DB_URL", null) == null;
        boolean objectStore = setting(environment, "SLUICE_S3_ENDPOINT", null) == null;
        if (database || objectStore) {
            // before anything in the directory is touched: an orphaned postmaster is stopped only once
            // it is certain that the Sluice that started it is gone
            DataDirectoryOwner.claim(dataDirectory);
        }
        if (database) {
            EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDirectory.resolve("postgres"));
            defaults.started.add(postgres);
            System.setProperty("SLUICE_DB_URL", postgres.jdbcUrl());
            System.setProperty("SLUICE_DB_USER", postgres.username());
            System.setProperty("SLUICE_DB_PASSWORD", postgres.password());
            LOG.infof("SLUICE_DB_URL is not set: started embedded PostgreSQL at %s (data in %s, user %s, password in %s)",
                    postgres.jdbcUrl(), postgres.dataDirectory().toAbsolutePath(), postgres.username(),
                    dataDirectory.resolve("postgres-password").toAbsolutePath());
        }
        if (objectStore) {
            EmbeddedS3Server s3 = EmbeddedS3Server.start(dataDirectory.resolve("s3"));
            defaults.started.add(0, s3);
            System.setProperty("SLUICE_S3_ENDPOINT", s3.endpoint().toString());
            System.setProperty("SLUICE_S3_ACCESS_KEY", s3.accessKey());
            System.setProperty("SLUICE_S3_SECRET_KEY", s3.secretKey());
            LOG.infof("SLUICE_S3_ENDPOINT is not set: started embedded S3 server at %s (objects in %s, credentials in %s)",
                    s3.endpoint(), dataDirectory.resolve("s3/objects").toAbsolutePath(),
                    dataDirectory.resolve("s3/credentials").toAbsolutePath());
        }
        return defaults;
    }

    private static String setting(Map<String, String> environment, String name, String fallback) {
        String value = System.getProperty(name, environment.get(name));
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public void close() {
        for (AutoCloseable part : started) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warnf("Stopping %s failed: %s", part.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
