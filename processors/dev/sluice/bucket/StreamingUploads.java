package dev.sluice.bucket;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Uploads to our object store whose body streams straight from another stream (an upstream GET):
 * presigned PUTs, sent as soon as signed, with {@code UNSIGNED-PAYLOAD}.
 *
 * <p>Why not the S3 client: over plain HTTP the AWS SDK signs every payload (it cannot be turned
 * off there), so it must read a body whole and hash it before the first byte goes out, and the
 * server then buffers and hashes it again to check. A presigned request's signature covers the
 * method, key, metadata headers and time, not the body (what rclone does for its uploads too), so
 * the bytes go through as they arrive and no object is ever held in memory. The body's length is
 * known (from the GET) and sent as Content-Length: a body cut off upstream ends the request with
 * an error, and the store keeps nothing of it.
 */
public final class StreamingUploads implements AutoCloseable {

    /** signed right before it is sent; this only bounds how long a slow body may take to start */
    private static final Duration VALID_FOR = Duration.ofMinutes(15);

    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]*)</Code>");

    private final S3Presigner presigner;
    private final SdkHttpClient http;

    public StreamingUploads(S3Presigner presigner, SdkHttpClient http) {
        this.presigner = presigner;
        this.http = http;
    }

    /** PutObject with {@code length} bytes read from {@code body}; returns the stored object's ETag. */
    public String put(PutObjectRequest request, InputStream body, long length) throws IOException {
        return send(presigner.presignPutObject(p -> p.signatureDuration(VALID_FOR).putObjectRequest(request)).httpRequest(),
                body, length);
    }

    /** UploadPart with {@code length} bytes read from {@code body}; returns the part's ETag. */
    public String uploadPart(UploadPartRequest request, InputStream body, long length) throws IOException {
        return send(presigner.presignUploadPart(p -> p.signatureDuration(VALID_FOR).uploadPartRequest(request)).httpRequest(),
                body, length);
    }

    private String send(SdkHttpRequest presigned, InputStream body, long length) throws IOException {
        SdkHttpRequest request = presigned.toBuilder().putHeader("Content-Length", Long.toString(length)).build();
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
            Matcher code = ERROR_CODE.matcher(answer);
            String errorCode = code.find() ? code.group(1) : "HTTP " + status;
            throw (S3Exception) S3Exception.builder().statusCode(status)
                    .message(request.method() + " " + request.encodedPath() + ": " + status + " " + errorCode)
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).errorMessage(answer)
                            .serviceName("S3").build())
                    .build();
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
