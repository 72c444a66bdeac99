package dev.sluice.bucket;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * GETs of whole objects from one upstream bucket whose body streams out as it arrives: the small
 * objects' side of a copy (StreamingUploads is the other).
 *
 * <p>Why not the S3 client's GetObject: for an object of a megabyte or so, its request pipeline
 * (endpoint rules, interceptors, marshalling, the response's unmarshalling) was a quarter of the
 * copy's CPU, and on this path a copy has little else to do. Where the bucket lives is still the
 * SDK's to say: its URL is asked of the source's client once ({@code S3Utilities.getUrl}, the same
 * endpoint rules, path-style or virtual-hosted), and each request is that URL plus the key, signed
 * with the SDK's own SigV4 signer unless the bucket is public, with the credentials the client has.
 * A request answered 5xx or 429 (SlowDown), or one whose connection fails before an answer, is sent
 * again up to {@code retries} times with exponential backoff and jitter, as the client's standard
 * retry mode would; after that it is an S3Exception with the status, as the client would throw, and
 * the transfer's whole-copy retries take over. A body cut off mid-stream is the transfer's to retry.
 */
public final class StreamingDownloads {

    private final URI bucketUrl;
    private final String region;
    /** null for a public bucket: requests go unsigned */
    private final AwsCredentialsProvider credentials;
    private final SdkHttpClient http;
    private final int retries;

    /**
     * @param client      the source's S3 client: where its bucket lives (endpoint, addressing) is its to say
     * @param credentials null for a public bucket
     * @param retries     how often a request answered 5xx/429 or without an answer is sent again
     */
    public StreamingDownloads(S3Client client, String bucket, String region, AwsCredentialsProvider credentials,
                              SdkHttpClient http, int retries) {
        String url = client.utilities().getUrl(b -> b.bucket(bucket).key("k")).toExternalForm();
        this.bucketUrl = URI.create(url.substring(0, url.length() - 1));
        this.region = region;
        this.credentials = credentials;
        this.http = http;
        this.retries = retries;
    }

    /** A GET of the whole object at {@code key}: its body, open, with the response's headers. */
    public Download get(String key) throws IOException {
        for (int retry = 0; ; retry++) {
            try {
                return getOnce(key);
            } catch (IOException | S3Exception e) {
                if (retry >= retries || e instanceof S3Exception s3 && s3.statusCode() < 500 && s3.statusCode() != 429) {
                    throw e;
                }
                // the SDK's standard mode: 100 ms doubling per retry, at most 20 s, half of it random
                long delay = Math.min(20_000, 100L << Math.min(retry, 10));
                try {
                    Thread.sleep(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", interrupted);
                }
            }
        }
    }

    private Download getOnce(String key) throws IOException {
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.GET)
                .protocol(bucketUrl.getScheme()).host(bucketUrl.getHost()).port(bucketUrl.getPort())
                // as the SDK writes an S3 key into a path: every byte encoded but the slashes
                .encodedPath(bucketUrl.getRawPath() + SdkHttpUtils.urlEncodeIgnoreSlashes(key))
                .build();
        SdkHttpRequest request = credentials == null ? unsigned
                : S3Requests.signed(unsigned, credentials.resolveCredentials(), region);
        HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(request).build()).call();
        SdkHttpResponse headers = response.httpResponse();
        AbortableInputStream body = response.responseBody().orElse(null);
        if (headers.statusCode() / 100 != 2) {
            String answer;
            try (InputStream in = body) {
                answer = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            throw S3Requests.failure(request, headers.statusCode(), answer);
        }
        long length;
        try {
            length = Long.parseLong(headers.firstMatchingHeader("Content-Length").orElseThrow());
        } catch (RuntimeException e) {
            if (body != null) {
                body.abort();
            }
            throw new IOException("GET " + request.encodedPath() + ": no Content-Length in the response");
        }
        GetObjectResponse described = GetObjectResponse.builder().contentLength(length)
                .eTag(headers.firstMatchingHeader("ETag").orElse(null))
                .serverSideEncryption(headers.firstMatchingHeader("x-amz-server-side-encryption").orElse(null))
                .build();
        return new Download(body == null ? AbortableInputStream.create(InputStream.nullInputStream()) : body, described);
    }

    /** An object's body being read, and what its response said (length, ETag, encryption). */
    public static final class Download extends FilterInputStream {
        private final AbortableInputStream body;
        private final GetObjectResponse response;

        Download(AbortableInputStream body, GetObjectResponse response) {
            super(body);
            this.body = body;
            this.response = response;
        }

        public GetObjectResponse response() {
            return response;
        }

        /** Drops the connection instead of reading the rest of the body. */
        public void abort() {
            body.abort();
        }
    }
}
