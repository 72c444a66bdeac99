package dev.sluice.bucket;

import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Uploads to our object store whose body streams straight from another stream (an upstream GET):
 * PUTs signed with {@code UNSIGNED-PAYLOAD} and sent right away.
 *
 * <p>Why not the S3 client: over plain HTTP the AWS SDK signs every payload (it cannot be turned
 * off there), so it must read a body whole and hash it before the first byte goes out, and the
 * server then buffers and hashes it again to check. An {@code UNSIGNED-PAYLOAD} signature covers the
 * method, key, metadata headers and time, not the body (what rclone does for its uploads too), so
 * the bytes go through as they arrive and no object is ever held in memory. The body's length is
 * known (from the GET) and sent as Content-Length: a body cut off upstream ends the request with
 * an error, and the store keeps nothing of it.
 *
 * <p>Why not the SDK's presigner either: it runs a whole request pipeline per signature (endpoint
 * rules, interceptors, marshalling), which was a fifth of a small object's CPU. The request here is
 * the path-style PUT the presigner produced, built directly, and signed by the SDK's own SigV4
 * signer ({@link AwsV4HttpSigner}), header-signed: the same signature, a few microseconds.
 */
public final class StreamingUploads implements AutoCloseable {

    private final URI endpoint;
    private final String region;
    private final AwsCredentialsIdentity credentials;
    private final SdkHttpClient http;

    /**
     * @param endpoint our store (path-style addressing: {@code endpoint/bucket/key}), as the SDK's
     *                 endpoint override for our store
     */
    public StreamingUploads(URI endpoint, String region, AwsCredentialsIdentity credentials, SdkHttpClient http) {
        this.endpoint = endpoint;
        this.region = region;
        this.credentials = credentials;
        this.http = http;
    }

    /** PutObject with {@code length} bytes read from {@code body}; returns the stored object's ETag. */
    public String put(PutObjectRequest request, InputStream body, long length) throws IOException {
        return send(signed(request(request.bucket(), request.key(), request.metadata()), length), body, length);
    }

    /** UploadPart with {@code length} bytes read from {@code body}; returns the part's ETag. */
    public String uploadPart(UploadPartRequest request, InputStream body, long length) throws IOException {
        return send(signed(request(request.bucket(), request.key(), Map.of())
                .putRawQueryParameter("partNumber", Integer.toString(request.partNumber()))
                .putRawQueryParameter("uploadId", request.uploadId()), length), body, length);
    }

    /** A path-style PUT of {@code key} in {@code bucket}, its metadata as x-amz-meta-* headers. */
    private SdkHttpRequest.Builder request(String bucket, String key, Map<String, String> metadata) {
        String base = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replaceAll("/+$", "");
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.PUT)
                .protocol(endpoint.getScheme()).host(endpoint.getHost()).port(endpoint.getPort())
                // as the SDK writes an S3 key into a path: every byte encoded but the slashes
                .encodedPath(base + "/" + SdkHttpUtils.urlEncode(bucket) + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        metadata.forEach((name, value) -> request.putHeader("x-amz-meta-" + name, value));
        return request;
    }

    private SdkHttpRequest signed(SdkHttpRequest.Builder request, long length) {
        return S3Requests.signed(request.putHeader("Content-Length", Long.toString(length)).build(), credentials, region);
    }

    private String send(SdkHttpRequest request, InputStream body, long length) throws IOException {
        ExactLength exact = new ExactLength(body, length);
        ExecutableHttpRequest call = http.prepareRequest(HttpExecuteRequest.builder()
                .request(request).contentStreamProvider(() -> exact).build());
        HttpExecuteResponse response = call.call();
        String answer;
        try (AbortableInputStream in = response.responseBody().orElse(null)) {
            answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int status = response.httpResponse().statusCode();
        if (status / 100 != 2) {
            // an S3 error like the client's, so the transfer's retry rules (5xx, 429, throttling) apply
            throw S3Requests.failure(request, status, answer);
        }
        if (exact.remaining > 0) {
            throw new IOException(request.encodedPath() + ": the body ended " + exact.remaining + " bytes early");
        }
        return response.httpResponse().firstMatchingHeader("ETag")
                .orElseThrow(() -> new IOException(request.encodedPath() + ": stored without an ETag"));
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * The body as exactly {@code length} bytes: an upstream stream that ends early is an error here,
     * not a short body (the HTTP client would otherwise stop writing and wait for the server).
     */
    private static final class ExactLength extends FilterInputStream {
        long remaining;

        ExactLength(InputStream in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the upstream body ended " + remaining + " bytes early");
            }
            remaining -= n;
            return n;
        }

        @Override
        public boolean markSupported() {
            // a stream from the network cannot be replayed: a failed request is retried whole
            return false;
        }

        @Override
        public void close() {
            // the GET it reads from is closed (or aborted) by its owner
        }
    }
}
