package dev.sluice.bucket;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * S3 clients: ours and one per upstream source. Ours is configured by the same keys as Camel's
 * aws2-s3 component (camel.component.aws2-s3.*, set from SLUICE_S3_* in
 * META-INF/microprofile-config.properties), so the routes' aws2-s3 endpoints and these clients
 * cannot point at two different stores. The SDK's standard retry mode retries
 * 5xx, 503 SlowDown/throttling, timeouts and connection resets with exponential backoff and jitter.
 */
@ApplicationScoped
public class S3Clients {

    @ConfigProperty(name = "camel.component.aws2-s3.uri-endpoint-override")
    String endpoint;
    @ConfigProperty(name = "camel.component.aws2-s3.access-key")
    String accessKey;
    @ConfigProperty(name = "camel.component.aws2-s3.secret-key")
    String secretKey;
    @ConfigProperty(name = "camel.component.aws2-s3.region", defaultValue = "us-east-1")
    String region;
    @ConfigProperty(name = "sluice.transfer.retries", defaultValue = "6")
    int retries;
    @ConfigProperty(name = "sluice.transfer.parallel", defaultValue = "4")
    int parallel;

    private volatile S3Client storage;
    private volatile S3Presigner presigner;
    private volatile StreamingUploads uploads;
    private volatile SdkHttpClient downloadHttp;
    private final Map<String, S3Client> upstreams = new ConcurrentHashMap<>();
    private final Map<String, AwsCredentialsProvider> upstreamCredentials = new ConcurrentHashMap<>();
    private final Map<String, StreamingDownloads> downloads = new ConcurrentHashMap<>();

    /** Our object store. */
    public S3Client storage() {
        if (storage == null) {
            synchronized (this) {
                if (storage == null) {
                    storage = build(URI.create(endpoint), region,
                            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)), false);
                }
            }
        }
        return storage;
    }

    /** Presigns requests to our object store (download links of catalog entries). */
    public S3Presigner presigner() {
        if (presigner == null) {
            synchronized (this) {
                if (presigner == null) {
                    presigner = S3Presigner.builder().region(Region.of(region)).endpointOverride(URI.create(endpoint))
                            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                            .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                                    .pathStyleAccessEnabled(true).build())
                            .build();
                }
            }
        }
        return presigner;
    }

    /** Uploads to our object store that stream their body (UNSIGNED-PAYLOAD): the copies' PUTs. */
    public StreamingUploads storageUploads() {
        if (uploads == null) {
            synchronized (this) {
                if (uploads == null) {
                    uploads = new StreamingUploads(URI.create(endpoint), region,
                            AwsBasicCredentials.create(accessKey, secretKey), httpClient().build());
                }
            }
        }
        return uploads;
    }

    public S3Client upstream(BucketSource source) {
        // keyed by where it points too: an edited route file may move a source to another endpoint or region
        return upstreams.computeIfAbsent(clientKey(source), n -> build(
                source.endpoint() == null ? null : URI.create(source.endpoint()), source.region(),
                credentials(source), true));
    }

    /** Whole-object GETs from a source's bucket that stream their body (the small objects' copies). */
    public StreamingDownloads downloads(BucketSource source) {
        return downloads.computeIfAbsent(clientKey(source), n -> new StreamingDownloads(upstream(source), source.bucket(),
                source.region(), source.anonymous() ? null : credentials(source), downloadHttp(), retries));
    }

    private static String clientKey(BucketSource source) {
        return source.name() + " " + source.endpoint() + " " + source.region() + " " + source.anonymous() + " " + source.bucket();
    }

    private AwsCredentialsProvider credentials(BucketSource source) {
        return upstreamCredentials.computeIfAbsent(clientKey(source), n -> source.anonymous()
                ? AnonymousCredentialsProvider.create() : DefaultCredentialsProvider.builder().build());
    }

    /** One HTTP client for the GETs of every source's StreamingDownloads. */
    private SdkHttpClient downloadHttp() {
        if (downloadHttp == null) {
            synchronized (this) {
                if (downloadHttp == null) {
                    downloadHttp = httpClient().build();
                }
            }
        }
        return downloadHttp;
    }

    /**
     * @param upstream a source's upstream rather than our store. Ours takes no aws-chunked request
     *                 bodies: uploads are sent from memory with their payload hash, which
     *                 S3-compatible servers (s3proxy in particular) take far more cheaply than
     *                 aws-chunked streams. An upstream's listings are read by {@link ListedContents}.
     */
    private S3Client build(URI endpointOverride, String regionName, AwsCredentialsProvider credentials, boolean upstream) {
        var builder = S3Client.builder()
                .region(Region.of(regionName))
                .credentialsProvider(credentials)
                .httpClientBuilder(httpClient())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryPolicy(RetryPolicy.builder(RetryMode.STANDARD).numRetries(retries).build())
                        .executionInterceptors(upstream ? List.of(new ListedContents()) : List.of())
                        .build())
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .chunkedEncodingEnabled(upstream).build());
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride).forcePathStyle(true);
        }
        return builder.build();
    }

    /**
     * One connection for each stream a transfer may have open at once (every transfer thread copying
     * a big object's parts side by side), so no request waits for a pooled connection.
     */
    private ApacheHttpClient.Builder httpClient() {
        return ApacheHttpClient.builder()
                .maxConnections(Math.max(8, parallel * ObjectTransfer.PARTS_IN_FLIGHT))
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60));
    }

    @PreDestroy
    void close() {
        if (storage != null) {
            storage.close();
        }
        if (uploads != null) {
            uploads.close();
        }
        if (presigner != null) {
            presigner.close();
        }
        upstreams.values().forEach(S3Client::close);
        if (downloadHttp != null) {
            downloadHttp.close();
        }
    }
}
