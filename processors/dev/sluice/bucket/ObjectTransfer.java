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
 *
 * <p>All transfers together hold at most {@code memoryBudget} bytes of object data: a small object
 * takes its size before its GET, each part buffer of a multipart copy the part size. So many small
 * objects can be in flight at once (their GETs and PUTs are mostly waiting on round trips) while
 * big ones are bounded by memory, whatever the number of transfer threads.
 */
public final class ObjectTransfer {

    private static final int UPLOADS_IN_FLIGHT = 3;

    private static final int MEMORY_UNIT = 64 * 1024;

    private final long partSize;
    private final int attempts;
    private final long backoffMillis;
    /** in MEMORY_UNITs; fair, so a big request is not overtaken forever by small ones */
    private final java.util.concurrent.Semaphore memory;

    public ObjectTransfer(long partSize, int attempts, long backoffMillis, long memoryBudget) {
        this.partSize = partSize;
        this.attempts = attempts;
        this.backoffMillis = backoffMillis;
        this.memory = new java.util.concurrent.Semaphore(units(Math.max(memoryBudget, partSize)), true);
    }

    private static int units(long bytes) {
        return (int) Math.max(1, (bytes + MEMORY_UNIT - 1) / MEMORY_UNIT);
    }

    private void acquire(int units) throws IOException {
        try {
            memory.acquire(units);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Copies a whole object; returns the bytes stored. */
    public long copy(S3Client from, String fromBucket, String fromKey, long size,
                     S3Client to, String toBucket, String toKey, Map<String, String> metadata) throws IOException {
        return withRetries(() -> {
            // a small object's memory is taken before its GET (the listing told its size), so no
            // connection is held open while waiting for it
            int held = size <= partSize ? units(size) : 0;
            acquire(held);
            try {
                GetObjectRequest get = GetObjectRequest.builder().bucket(fromBucket).key(fromKey).build();
                try (ResponseInputStream<GetObjectResponse> in = from.getObject(get)) {
                    long length = in.response().contentLength();
                    if (length <= partSize) {
                        // at most one part in memory: the upload is signed over its bytes
                        if (units(length) > held) {
                            acquire(units(length) - held);
                            held = units(length);
                        }
                        byte[] body = in.readNBytes((int) length);
                        to.putObject(put(toBucket, toKey, metadata), RequestBody.fromBytes(body));
                        return (long) body.length;
                    }
                    memory.release(held);
                    held = 0;
                    return multipart(in, to, toBucket, toKey, metadata);
                }
            } finally {
                memory.release(held);
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
        int partUnits = units(partSize);
        try {
            long total = 0;
            while (true) {
                buffers.acquire();
                memory.acquire(partUnits);
                byte[] buffer;
                int read;
                try {
                    buffer = new byte[(int) partSize];
                    read = in.readNBytes(buffer, 0, buffer.length);
                } catch (IOException | RuntimeException | Error e) {
                    memory.release(partUnits);
                    throw e;
                }
                if (read <= 0) {
                    memory.release(partUnits);
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
                        memory.release(partUnits);
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
            // parts never started give their memory back here, running ones when they end
            for (Runnable neverStarted : uploads.shutdownNow()) {
                memory.release(partUnits);
            }
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
