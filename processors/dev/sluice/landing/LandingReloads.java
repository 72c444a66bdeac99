package dev.sluice.landing;

import dev.sluice.api.BadRequestException;
import dev.sluice.api.ConflictException;
import dev.sluice.api.NotFoundException;
import dev.sluice.dataset.DatasetDefinition;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A forced re-import of a landed file (POST /landing/reloads/{ledgerId}): its archived original is
 * fetched from our bucket and loaded again as if it had just landed — rows upserted, so values
 * corrected by hand or lost meanwhile are written back — although the ledger knows its sha256. For
 * the data-quality corrections the rain tracker's users made: fix, then reload.
 *
 * <p>Stages of the route: {@link #original} finds the ledger entry and names the object (404 for an
 * unknown id, 409 when it has no archived original), the aws2-s3 producer fetches it, {@link #reload}
 * loads it. The original is checked against the ledger's sha256 before anything is loaded, and
 * spooled to a temporary file (compressed, as archived: a .zip is read by its directory, and the
 * loader may read the content twice), deleted afterwards. The load is one transaction, with the
 * ledger row locked, so it never runs beside a landing of the same content. Every run it records
 * says it was forced: message "forced reload: …", summary {"trigger": "forced-reload"}. The
 * ledger entry stays as it was; no file.loaded event is sent (its original load sent one).
 */
@ApplicationScoped
@Named("landingReloads")
public class LandingReloads {

    /** Exchange property: the {@link Original} being reloaded. */
    static final String ORIGINAL = "SluiceReloadOriginal";
    private static final Logger LOG = Logger.getLogger(LandingReloads.class);

    @Inject
    AgroalDataSource dataSource;
    @Inject
    LandedContentLoader contentLoader;

    /** A ledger entry whose original is archived. */
    public record Original(long ledgerId, String name, String sha256, String archiveKey) {
    }

    /** Route step: the ledger entry to reload; its archived original's key goes into CamelAwsS3Key for the fetch. */
    public void original(String ledgerId, Exchange exchange) throws SQLException {
        long id;
        try {
            id = Long.parseLong(ledgerId);
        } catch (NumberFormatException e) {
            throw new BadRequestException("a ledger id is a number, not " + ledgerId);
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select source, identity, content_hash, status, archive_key from file_ledger where id = ?")) {
            select.setLong(1, id);
            try (ResultSet entry = select.executeQuery()) {
                if (!entry.next()) {
                    throw new NotFoundException("no file ledger entry " + id);
                }
                String source = entry.getString(1);
                String name = entry.getString(2);
                String status = entry.getString(4);
                if (!LandingGate.SOURCE.equals(source)) {
                    throw new ConflictException("ledger entry " + id + " is not a landed file but an object of source " + source
                            + "; a source is fetched again with POST /sources/" + source + "/runs?force=true");
                }
                if (!"archived".equals(status) || entry.getString(5) == null) {
                    throw new ConflictException("ledger entry " + id + " (" + name + ") has no archived original to reload: its status is "
                            + status + ("rejected".equals(status) ? " (a rejected file is kept in error/, not archived; drop it into the inbox again once fixed)"
                            : "loaded".equals(status) ? " (loaded, its original not yet in the bucket)" : ""));
                }
                Original original = new Original(id, name, entry.getString(3), entry.getString(5));
                exchange.setProperty(ORIGINAL, original);
                exchange.getIn().setHeader("CamelAwsS3Key", original.archiveKey());
            }
        }
    }

    /** Route step (the fetch found no object): the original was removed from the bucket by other means than the purge. */
    public void missing(Exchange exchange) {
        Original original = exchange.getProperty(ORIGINAL, Original.class);
        throw new ConflictException("the archived original of ledger entry " + original.ledgerId() + " (" + original.archiveKey()
                + ") is not in the bucket any more");
    }

    /** Route step: loads the fetched original (the body, streamed) again; answers what was loaded. */
    public Map<String, Object> reload(Exchange exchange) throws IOException, SQLException {
        Original original = exchange.getProperty(ORIGINAL, Original.class);
        // what the fetch said about the object is not part of the answer
        exchange.getIn().removeHeaders("CamelAwsS3*");
        exchange.getIn().removeHeader(Exchange.CONTENT_LENGTH);
        exchange.getIn().removeHeader(Exchange.CONTENT_TYPE);
        Path directory = Files.createTempDirectory("sluice-reload-");
        try (InputStream body = exchange.getIn().getMandatoryBody(InputStream.class)) {
            // named as it landed: the name tells the packing, the dataset and the format
            Path file = directory.resolve(Path.of(original.name()).getFileName().toString());
            String sha256 = spool(body, file);
            if (!sha256.equals(original.sha256())) {
                throw new ConflictException("the archived original " + original.archiveKey() + " is not the content ledger entry "
                        + original.ledgerId() + " recorded (sha256 " + sha256 + ", not " + original.sha256() + ")");
            }
            return load(original, file);
        } catch (org.apache.camel.InvalidPayloadException e) {
            throw new IllegalStateException("the archived original of ledger entry " + original.ledgerId() + " came without a body", e);
        } finally {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    private Map<String, Object> load(Original original, Path file) throws IOException, SQLException {
        Instant started = Instant.now();
        String name = original.name();
        DatasetDefinition dataset = contentLoader.datasetOf(file, name).orElseThrow(() -> new ConflictException(
                "no dataset declaration matches " + name + " (or, for a .zip, any of its members) any more"));
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                lock(connection, original.ledgerId());
                LandedContentLoader.Loaded loaded = contentLoader.load(connection, file, name, dataset, LandingGate.SOURCE,
                        original.ledgerId(), started);
                markForced(connection, original.ledgerId(), started);
                connection.commit();
                LOG.infof("%s reloaded from %s (ledger %d): %d rows loaded, %d dead-lettered%s", name, original.archiveKey(),
                        original.ledgerId(), loaded.rowsLoaded(), loaded.rowsRejected(),
                        loaded.refusals().isEmpty() ? "" : ", refused members: " + loaded.refusals());
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("ledgerId", original.ledgerId());
                answer.put("file", name);
                answer.put("archiveKey", original.archiveKey());
                answer.put("sha256", original.sha256());
                answer.put("runIds", loaded.runIds());
                answer.put("rowsLoaded", loaded.rowsLoaded());
                answer.put("rowsRejected", loaded.rowsRejected());
                if (!loaded.refusals().isEmpty()) {
                    answer.put("refusedMembers", loaded.refusals());
                }
                return answer;
            } catch (IOException | SQLException | RuntimeException | Error e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (e instanceof dev.sluice.ingest.RejectedFileException refused) {
                    // what loaded once does not any more (a declaration changed, a cap was lowered): nothing of it was written
                    throw new ConflictException(name + " cannot be loaded again: " + refused.getMessage());
                }
                throw e;
            }
        }
    }

    /** Holds the ledger row for the transaction: an inbox landing of the same content waits, and so does a second reload. */
    private static void lock(Connection connection, long ledgerId) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select id from file_ledger where id = ? for update")) {
            lock.setLong(1, ledgerId);
            lock.executeQuery().close();
        }
    }

    /** Every run this reload recorded (loaded members and refused ones) says it was forced. */
    private static void markForced(Connection connection, long ledgerId, Instant started) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update ingest_run set message = 'forced reload: ' || coalesce(message, ''),
                       summary = coalesce(summary, '{}'::jsonb) || jsonb_build_object('trigger', 'forced-reload')
                where ledger_id = ? and started_at >= ? and (summary is null or summary->>'trigger' is null)""")) {
            update.setLong(1, ledgerId);
            update.setTimestamp(2, Timestamp.from(started));
            update.executeUpdate();
        }
    }

    private static String spool(InputStream in, Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), digest)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
