package dev.sluice.bucket;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An upstream's listing pages, read by ListedContents, say what the SDK's own unmarshalling says. */
class ListedContentsTest {

    private static final String PAGE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>noaa-gfs</Name><Prefix>gfs.20250619/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>
              <IsTruncated>true</IsTruncated><NextContinuationToken>1a&amp;b/c=</NextContinuationToken>
              <Contents><Key>gfs.20250619/12/atmos/gfs.t12z.pgrb2.0p25.f003</Key><LastModified>2025-06-19T15:31:07.000Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>530771291</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>gfs.20250619/12/atmos/a &amp; b ü.idx</Key><LastModified>2025-06-19T15:31:08Z</LastModified>
                <ETag>"e3b0c44298fc1c149afbf4c8996fb924-3"</ETag><Size>0</Size>
                <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f</ID><DisplayName>someone</DisplayName></Owner>
                <ChecksumAlgorithm>CRC32</ChecksumAlgorithm><StorageClass>INTELLIGENT_TIERING</StorageClass></Contents>
              <Contents><Key>gfs.20250619/18/x</Key><LastModified>2025-06-19T21:00:00.123456Z</LastModified><Size>12</Size></Contents>
              <CommonPrefixes><Prefix>gfs.20250619/18/</Prefix></CommonPrefixes>
            </ListBucketResult>""";

    @Test
    void aPageShouldListTheSameObjectsAndTokensAsTheSdksOwnReading() throws Exception {
        ListObjectsV2Response sdk = list(PAGE, 200, false);
        ListObjectsV2Response ours = list(PAGE, 200, true);
        Function<S3Object, String> read = o -> o.key() + " " + o.eTag() + " " + o.size() + " " + o.lastModified() + " " + o.storageClassAsString();
        assertEquals(3, ours.contents().size());
        assertEquals(sdk.contents().stream().map(read).toList(), ours.contents().stream().map(read).toList());
        assertEquals("gfs.20250619/12/atmos/a & b ü.idx", ours.contents().get(1).key());
        assertEquals(Instant.parse("2025-06-19T21:00:00.123456Z"), ours.contents().get(2).lastModified());
        assertTrue(ours.isTruncated());
        assertEquals("1a&b/c=", ours.nextContinuationToken());
        assertEquals(sdk.commonPrefixes(), ours.commonPrefixes());
        assertEquals(List.of(sdk.name(), sdk.prefix(), sdk.keyCount(), sdk.maxKeys()), List.of(ours.name(), ours.prefix(), ours.keyCount(), ours.maxKeys()));
    }

    @Test
    void anEmptyLastPageAndAnErrorShouldStayTheSdks() throws Exception {
        ListObjectsV2Response empty = list("""
                <ListBucketResult><Name>b</Name><Prefix>none/</Prefix><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>""", 200, true);
        assertTrue(empty.contents().isEmpty());
        assertFalse(empty.isTruncated());
        SdkClientException unreadable = assertThrows(SdkClientException.class, () -> list("<ListBucketResult><Contents><Key>", 200, true));
        assertTrue(unreadable.getMessage().contains("ListObjectsV2"), unreadable.getMessage());
        var missing = assertThrows(software.amazon.awssdk.services.s3.model.NoSuchBucketException.class, () -> list("""
                <Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>""", 404, true));
        assertEquals(404, missing.statusCode());
    }

    private static ListObjectsV2Response list(String body, int status, boolean listedContents) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        AtomicReference<String> query = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            query.set(exchange.getRequestURI().getRawQuery());
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .region(Region.US_EAST_1).forcePathStyle(true).credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry())
                        .executionInterceptors(listedContents ? List.of(new ListedContents()) : List.of()).build())
                .build()) {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket("noaa-gfs").prefix("gfs.20250619/"));
            assertTrue(query.get().contains("list-type=2"), query.get());
            return page;
        } finally {
            server.stop(0);
        }
    }
}
