package dev.sluice.it;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What tests do to and read from a running Sluice: drop files, query PostgreSQL, read the bucket. */
@ApplicationScoped
public class Landing {

    @Inject
    AgroalDataSource dataSource;
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
    @ConfigProperty(name = "SLUICE_S3_ACCESS_KEY")
    String accessKey;
    @ConfigProperty(name = "SLUICE_S3_SECRET_KEY")
    String secretKey;

    /** Writes the file beside the inbox and moves it in, as a well-behaved producer does. */
    public Path drop(String name, String content) throws IOException {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public Path drop(String name, byte[] content) throws IOException {
        Files.createDirectories(inbox);
        Path staging = Files.createTempFile(inbox.getParent(), "staging", ".tmp");
        Files.write(staging, content);
        return Files.move(staging, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    public Path inbox() {
        return inbox;
    }

    public Path done() {
        return done;
    }

    public Path error() {
        return error;
    }

    /**
     * Whether Sluice has written this file yet (a reason beside a file in error/): it is created first and
     * written then, so it may be there and still empty for a moment.
     */
    public static boolean written(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) > 0;
        } catch (IOException gone) {
            return false;
        }
    }

    public long count(String sql, Object... parameters) throws SQLException {
        return ((Number) rows(sql, parameters).get(0).values().iterator().next()).longValue();
    }

    public List<Map<String, Object>> rows(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    Map<String, Object> row = new java.util.LinkedHashMap<>();
                    for (int c = 1; c <= columns; c++) {
                        row.put(result.getMetaData().getColumnLabel(c), result.getObject(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    public S3Client s3() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    public byte[] object(String key) {
        try (S3Client s3 = s3()) {
            return s3.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asByteArray();
        }
    }

    public Map<String, String> objectMetadata(String key) {
        try (S3Client s3 = s3()) {
            return s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build()).metadata();
        }
    }
}
