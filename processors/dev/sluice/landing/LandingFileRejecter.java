package dev.sluice.landing;

import dev.sluice.ledger.FileLedger;
import dev.sluice.ledger.IngestRun;
import dev.sluice.ledger.IngestRuns;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.dataset.DatasetDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;

/** Handles a file that cannot be processed at all: error/ with the reason, a ledger entry and a run row. */
@ApplicationScoped
@Named("landingFileRejecter")
public class LandingFileRejecter {

    private static final Logger LOG = Logger.getLogger(LandingFileRejecter.class);

    @Inject
    LandingDirectories directories;
    @Inject
    FileLedger ledger;
    @Inject
    IngestRuns runs;
    @Inject
    DatasetRegistry datasets;

    public void reject(Exchange exchange) throws IOException, SQLException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        reject(Path.of(exchange.getIn().getHeader(Exchange.FILE_PATH, String.class)),
                cause == null ? "unknown" : cause.getMessage());
    }

    public void reject(Path file, String reason) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = file.getFileName().toString();
        long size = Files.size(file);
        String sha256 = FileFingerprint.sha256(file);
        String dataset = datasets.forFile(name).map(DatasetDefinition::name).orElse(null);
        // ledger first: a crash before the move only means the file is rejected once more after restart
        long ledgerId = ledger.markRejected(LandingFileIngester.SOURCE, name, sha256, size, dataset, reason);
        runs.record(new IngestRun(LandingFileIngester.SOURCE, "file", name, dataset, ledgerId, 0, 0, 0, size,
                started, Instant.now(), "rejected", reason));
        Path moved = directories.reject(file.toString(), reason);
        LOG.warnf("%s rejected: %s (moved to %s)", name, reason, moved);
    }
}
