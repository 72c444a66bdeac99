package dev.sluice.bucket;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Streams objects from an upstream bucket into ours without holding them in memory: each GET's body
 * goes straight into a PUT of the same length (StreamingUploads). An object up to the part size is
 * one GET (StreamingDownloads) and one PUT; a bigger one is a multipart upload whose parts are copied
 * {@link #PARTS_IN_FLIGHT} at a time, each a Range GET of that part streamed into its UploadPart
 * (every Range GET asks for the ETag the object had when the copy began, so the parts cannot mix
 * two versions; the upload is aborted on failure, so no orphaned parts remain). The SDK retries each
 * request; a transfer (or a part) that still fails, a body cut off mid-stream say, is retried whole
 * with exponential backoff and jitter.
 *
 * <p>Only GRIB subsets are read into memory (their ranges are concatenated, a few messages): all of
 * them together hold at most {@code memoryBudget} bytes.
 */
public final class ObjectTransfer {

    /** Parts of one big object copied side by side: reading upstream and writing ours overlap. */
    static final int PARTS_IN_FLIGHT = 4;

    private static final int MEMORY_UNIT = 64 * 1024;

    private final long partSize;
    private final int attempts;
    private final long backoffMillis;
    /** in MEMORY_UNITs; fair, so a big request is not overtaken forever by small ones */
    private final Semaphore memory;
    private final int memoryUnits;

    public ObjectTransfer(long partSize, int attempts, long backoffMillis, long memoryBudget) {
        this.partSize = partSize;
        this.attempts = attempts;
        this.backoffMillis = backoffMillis;
        this.memoryUnits = units(Math.max(memoryBudget, partSize));
        this.memory = new Semaphore(memoryUnits, true);
    }

    private static int units(long bytes) {
        return (int) Math.max(1, (bytes + MEMORY_UNIT - 1) / MEMORY_UNIT);
    }

    /** Copies a whole object; returns the bytes stored. */
    public long copy(S3Client from, StreamingDownloads downloads, String fromBucket, String fromKey, long size,
                     S3Client to, StreamingUploads uploads, String toBucket, String toKey, Map<String, String> metadata) throws IOException {
        if (size > partSize) {
            return multipart(from, fromBucket, fromKey, to, uploads, toBucket, toKey, metadata);
        }
        long stored = withRetries(() -> {
            try (StreamingDownloads.Download in = downloads.get(fromKey)) {
                long length = in.response().contentLength();
                if (length > partSize) {
                    // it grew since it was listed: copied in parts instead
                    in.abort();
                    return -1L;
                }
                String storedETag;
                try {
                    storedETag = uploads.put(put(toBucket, toKey, metadata), in, length);
                } catch (IOException | RuntimeException e) {
                    // the rest of the body is not read, the connection is dropped
                    in.abort();
                    throw e;
                }
                if (!sameContent(in.response(), storedETag)) {
                    // the payload is not signed (StreamingUploads): what arrived is checked against what was sent
                    throw new IOException(toKey + ": stored with ETag " + storedETag + ", the upstream object has "
                                          + in.response().eTag() + ": the bytes changed on the way; copied again");
                }
                return length;
            }
        });
        return stored >= 0 ? stored : multipart(from, fromBucket, fromKey, to, uploads, toBucket, toKey, metadata);
    }

    private static final java.util.regex.Pattern MD5 = java.util.regex.Pattern.compile("\"?[0-9a-fA-F]{32}\"?");

    /**
     * Whether our store's ETag of a single PUT shows the same bytes as the upstream GET's: both are the
     * content's MD5 when the object is neither multipart (an ETag with "-n") nor KMS-encrypted upstream;
     * anything else cannot be compared and passes.
     */
    static boolean sameContent(GetObjectResponse upstream, String stored) {
        String theirs = upstream.eTag();
        if (theirs == null || stored == null || !MD5.matcher(theirs).matches() || !MD5.matcher(stored).matches()
                || upstream.serverSideEncryption() == software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS
                || upstream.serverSideEncryption() == software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS_DSSE) {
            return true;
        }
        return theirs.replace("\"", "").equalsIgnoreCase(stored.replace("\"", ""));
    }

    /** Fetches byte ranges (HTTP Range GETs) and stores them, concatenated, as one object; returns its size. */
    public long copyRanges(S3Client from, String fromBucket, String fromKey, List<GribIndex.Range> ranges,
                           StreamingUploads uploads, String toBucket, String toKey, Map<String, String> metadata) throws IOException {
        int held = Math.min(memoryUnits, units(ranges.stream().mapToLong(GribIndex.Range::length).sum()));
        try {
            memory.acquire(held);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try {
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
                uploads.put(put(toBucket, toKey, metadata), new ByteArrayInputStream(subset.toByteArray()), subset.size());
                return (long) subset.size();
            });
        } finally {
            memory.release(held);
        }
    }

    /** Reads a small object (an .idx sidecar) as text. */
    public String read(S3Client from, String bucket, String key) throws IOException {
        return withRetries(() -> from.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket).key(key).build()).asUtf8String());
    }

    /**
     * Multipart upload, {@link #PARTS_IN_FLIGHT} parts at a time, each streamed from its own Range GET
     * of the version the HEAD saw.
     */
    private long multipart(S3Client from, String fromBucket, String fromKey, S3Client to, StreamingUploads uploads,
                           String bucket, String key, Map<String, String> metadata) throws IOException {
        HeadObjectResponse head = withRetries(() -> from.headObject(b -> b.bucket(fromBucket).key(fromKey)));
        long size = head.contentLength();
        String uploadId = withRetries(() -> to.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key).metadata(metadata).build()).uploadId());
        int count = (int) Math.max(1, (size + partSize - 1) / partSize);
        ExecutorService partThreads = Executors.newFixedThreadPool(Math.min(PARTS_IN_FLIGHT, count), r -> {
            Thread t = new Thread(r, "sluice-transfer-part");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<CompletedPart>> parts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int number = i + 1;
                long first = i * partSize;
                long length = Math.min(partSize, size - first);
                parts.add(partThreads.submit(() -> withRetries(() -> copyPart(from, fromBucket, fromKey, head.eTag(),
                        first, length, uploads, UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(number).build()))));
            }
            List<CompletedPart> completed = new ArrayList<>();
            for (Future<CompletedPart> part : parts) {
                completed.add(part.get());
            }
            to.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()).build());
            return size;
        } catch (Exception e) {
            // parts not started are dropped; the running ones end before the abort, so none lands after it
            partThreads.shutdownNow();
            try {
                partThreads.awaitTermination(2, TimeUnit.MINUTES);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                to.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key).uploadId(uploadId).build());
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause);
        } finally {
            partThreads.shutdownNow();
        }
    }

    private CompletedPart copyPart(S3Client from, String fromBucket, String fromKey, String etag, long first, long length,
                                   StreamingUploads uploads, UploadPartRequest part) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = from.getObject(GetObjectRequest.builder().bucket(fromBucket)
                .key(fromKey).ifMatch(etag).range("bytes=" + first + "-" + (first + length - 1)).build())) {
            try {
                if (in.response().contentLength() != length) {
                    throw new IOException(fromKey + " part " + part.partNumber() + ": " + in.response().contentLength()
                            + " bytes where " + length + " were asked for");
                }
                return CompletedPart.builder().partNumber(part.partNumber()).eTag(uploads.uploadPart(part, in, length)).build();
            } catch (IOException | RuntimeException e) {
                in.abort();
                throw e;
            }
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
