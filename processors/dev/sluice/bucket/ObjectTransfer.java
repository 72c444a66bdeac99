package dev.sluice.bucket;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Streams objects from an upstream bucket into ours. Never holds a whole object in memory: small
 * ones stream straight through, large ones go part by part (multipart upload, aborted on failure so
 * no orphaned parts remain). The SDK retries each request; a transfer that still fails (a body cut
 * off mid-stream, say) is retried whole with exponential backoff and jitter.
 */
public final class ObjectTransfer {

    private static final int UPLOADS_IN_FLIGHT = 3;

    private final long partSize;
    private final int attempts;
    private final long backoffMillis;

    public ObjectTransfer(long partSize, int attempts, long backoffMillis) {
        this.partSize = partSize;
        this.attempts = attempts;
        this.backoffMillis = backoffMillis;
    }

    /** Copies a whole object; returns the bytes stored. */
    public long copy(S3Client from, String fromBucket, String fromKey, long size,
                     S3Client to, String toBucket, String toKey, Map<String, String> metadata) throws IOException {
        return withRetries(() -> {
            GetObjectRequest get = GetObjectRequest.builder().bucket(fromBucket).key(fromKey).build();
            try (ResponseInputStream<GetObjectResponse> in = from.getObject(get)) {
                long length = in.response().contentLength();
                if (length <= partSize) {
                    // at most one part in memory: the upload is signed over its bytes
                    byte[] body = in.readNBytes((int) length);
                    to.putObject(put(toBucket, toKey, metadata), RequestBody.fromBytes(body));
                    return (long) body.length;
                }
                return multipart(in, to, toBucket, toKey, metadata);
            }
        });
    }

    /** Fetches byte ranges (HTTP Range GETs) and stores them, concatenated, as one object; returns its size. */
    public long copyRanges(S3Client from, String fromBucket, String fromKey, List<GribIndex.Range> ranges,
                           S3Client to, String toBucket, String toKey, Map<String, String> metadata) throws IOException {
        return withRetries(() -> {
            // a GRIB subset (a few messages) is small; each range is read whole
            ByteArrayOutputStream subset = new ByteArrayOutputStream();
            for (GribIndex.Range range : ranges) {
                try (InputStream in = from.getObject(GetObjectRequest.builder().bucket(fromBucket).key(fromKey)
                        .range(range.header()).build())) {
                    long copied = in.transferTo(subset);
                    if (copied != range.length()) {
                        throw new IOException(fromKey + " " + range.header() + ": got " + copied + " bytes");
                    }
                }
            }
            to.putObject(put(toBucket, toKey, metadata), RequestBody.fromBytes(subset.toByteArray()));
            return subset.size();
        });
    }

    /** Reads a small object (an .idx sidecar) as text. */
    public String read(S3Client from, String bucket, String key) throws IOException {
        return withRetries(() -> from.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asUtf8String());
    }

    /**
     * Multipart upload with up to {@link #UPLOADS_IN_FLIGHT} parts uploading while the next is read:
     * reading the upstream and writing ours overlap, and at most that many part buffers exist.
     */
    private long multipart(InputStream in, S3Client to, String bucket, String key, Map<String, String> metadata) throws IOException {
        String uploadId = to.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key).metadata(metadata).build()).uploadId();
        java.util.concurrent.ExecutorService uploads = java.util.concurrent.Executors.newFixedThreadPool(UPLOADS_IN_FLIGHT);
        java.util.concurrent.Semaphore buffers = new java.util.concurrent.Semaphore(UPLOADS_IN_FLIGHT);
        List<java.util.concurrent.Future<CompletedPart>> parts = new ArrayList<>();
        try {
            long total = 0;
            while (true) {
                buffers.acquire();
                byte[] buffer = new byte[(int) partSize];
                int read = in.readNBytes(buffer, 0, buffer.length);
                if (read <= 0) {
                    buffers.release();
                    break;
                }
                int number = parts.size() + 1;
                total += read;
                parts.add(uploads.submit(() -> {
                    try {
                        String etag = to.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                        .partNumber(number).contentLength((long) read).build(),
                                RequestBody.fromInputStream(new java.io.ByteArrayInputStream(buffer, 0, read), read)).eTag();
                        return CompletedPart.builder().partNumber(number).eTag(etag).build();
                    } finally {
                        buffers.release();
                    }
                }));
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (java.util.concurrent.Future<CompletedPart> part : parts) {
                completed.add(part.get());
            }
            to.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()).build());
            return total;
        } catch (Exception e) {
            parts.forEach(p -> p.cancel(true));
            try {
                to.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        } finally {
            uploads.shutdownNow();
        }
    }

    private static PutObjectRequest put(String bucket, String key, Map<String, String> metadata) {
        return PutObjectRequest.builder().bucket(bucket).key(key).metadata(metadata).build();
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws IOException;
    }

    private <T> T withRetries(Attempt<T> attempt) throws IOException {
        for (int i = 1; ; i++) {
            try {
                return attempt.run();
            } catch (IOException | software.amazon.awssdk.core.exception.SdkException e) {
                if (i >= attempts || !retryable(e)) {
                    throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                }
                long delay = backoffMillis * (1L << Math.min(i - 1, 10));
                try {
                    Thread.sleep(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", interrupted);
                }
            }
        }
    }

    private static boolean retryable(Exception e) {
        if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service) {
            return service.statusCode() >= 500 || service.statusCode() == 429 || service.isThrottlingException();
        }
        return true;
    }

}
