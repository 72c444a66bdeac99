package dev.sluice;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/** Tells the operator, once, where Sluice takes files from and puts them. */
@ApplicationScoped
public class StartupReport {

    private static final Logger LOG = Logger.getLogger(StartupReport.class);

    @ConfigProperty(name = "sluice.landing.inbox")
    Path inbox;
    @ConfigProperty(name = "sluice.landing.done")
    Path done;
    @ConfigProperty(name = "sluice.landing.error")
    Path error;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;
    @ConfigProperty(name = "SLUICE_S3_ENDPOINT")
    String endpoint;
    @ConfigProperty(name = "sluice.routes.dir")
    Path routes;
    @ConfigProperty(name = "quarkus.http.port")
    int port;
    @ConfigProperty(name = "sluice.data.dir")
    Path data;

    void report(@Observes StartupEvent started) {
        LOG.infof("Sluice is ready: drop files into %s (loaded → %s, unprocessable → %s); originals archived to s3://%s at %s; routes from %s",
                inbox.toAbsolutePath(), done.toAbsolutePath(), error.toAbsolutePath(), bucket, endpoint, routes.toAbsolutePath());
        Path generated = data.resolve(dev.sluice.console.ConsoleCredentials.CONSOLE_FILE);
        Path reader = data.resolve(dev.sluice.console.ConsoleCredentials.READER_FILE);
        LOG.infof("Console: http://localhost:%d/hawtio/ (user and password: %s); API: http://localhost:%d/openapi.json;"
                  + " read-only user: %s; every endpoint but /q/health/* wants one of them",
                port, System.getenv(dev.sluice.console.ConsoleCredentials.PASSWORD) != null ? "SLUICE_CONSOLE_USER / SLUICE_CONSOLE_PASSWORD"
                        : "in " + generated.toAbsolutePath(), port,
                System.getenv(dev.sluice.console.ConsoleCredentials.READER_PASSWORD) != null ? "SLUICE_READER_USER / SLUICE_READER_PASSWORD"
                        : "in " + reader.toAbsolutePath());
    }
}
