package dev.sluice.embedded;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded store never shows a client the temporary file of an upload: not the one a kill -9
 * left behind (removed at the next start), not the one of an upload still being written.
 */
class UploadDebrisTest {

    private Path base;
    private EmbeddedS3Server server;
    private S3Client s3;

    @BeforeEach
    void leftoversOfAKilledUpload() throws Exception {
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        base = Files.createTempDirectory("sluice-debris-");
        start();
        s3.createBucket(b -> b.bucket("sluice"));
        s3.putObject(b -> b.bucket("sluice").key("raw/rain/2026/11/30/rain-torture-34.csv"), RequestBody.fromString("gauge_id\n"));
        stop();
        // what s3proxy's filesystem backend leaves when the process dies mid-upload: <key>-<uuid>, 0 bytes
        Files.createFile(base.resolve("s3/objects/sluice/raw/rain/2026/11/30/rain-torture-34.csv-" + UUID.randomUUID()));
        start();
    }

    private void start() {
        server = EmbeddedS3Server.start(base.resolve("s3"));
        s3 = S3Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                .build();
    }

    private void stop() {
        s3.close();
        server.close();
    }

    @AfterEach
    void removeAll() throws Exception {
        stop();
        try (var all = Files.walk(base)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aKilledUploadsTemporaryFileShouldBeGoneAfterRestart() throws Exception {
        assertEquals(List.of("raw/rain/2026/11/30/rain-torture-34.csv"), keys());
        try (var files = Files.list(base.resolve("s3/objects/sluice/raw/rain/2026/11/30"))) {
            assertEquals(1, files.count(), "the leftover is deleted from disk");
        }
    }

    @Test
    void anUploadInProgressShouldNeitherBeListedNorReadable() throws Exception {
        String temporary = "raw/rain/2026/11/30/next.csv-" + UUID.randomUUID();
        // as the backend writes it while the request body is still arriving
        Files.writeString(base.resolve("s3/objects/sluice").resolve(temporary), "half a fi");
        s3.putObject(b -> b.bucket("sluice").key("raw/rain/2026/11/30/other.csv"), RequestBody.fromString("x\n"));

        assertEquals(List.of("raw/rain/2026/11/30/other.csv", "raw/rain/2026/11/30/rain-torture-34.csv"), keys());
        assertThrows(NoSuchKeyException.class, () -> s3.getObjectAsBytes(b -> b.bucket("sluice").key(temporary)));
        assertTrue(s3.listObjectsV2(b -> b.bucket("sluice").prefix(temporary)).contents().isEmpty());
        assertFalse(UploadDebris.isDebris("raw/rain/2026/11/30/other.csv"));
    }

    /** The objects (the filesystem backend also lists its directories as "…/" entries, a listing quirk of its own). */
    private List<String> keys() {
        return s3.listObjectsV2Paginator(b -> b.bucket("sluice")).contents().stream().map(S3Object::key)
                .filter(key -> !key.endsWith("/")).sorted().toList();
    }
}
