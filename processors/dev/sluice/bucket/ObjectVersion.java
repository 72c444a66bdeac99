package dev.sluice.bucket;

import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One version of an upstream object, as the listing told it: the unit a poll claims, transfers and
 * catalogues (one split item).
 *
 * @param version its ETag, or (from S3-compatible servers that list no ETag) its size and modification time
 */
public record ObjectVersion(String key, String version, long size) {

    static ObjectVersion of(S3Object object) {
        return new ObjectVersion(object.key(), object.eTag() != null ? object.eTag()
                : "size=" + object.size() + ",modified=" + object.lastModified(), object.size());
    }
}
