package dev.sluice.bucket;

import java.time.Instant;

/** One stored object as the catalog describes it. */
public record CatalogEntry(String source, String parameter, String level, Instant referenceTime, Integer forecastHour,
                           Instant validTime, String storageKey, long bytes, String upstreamBucket, String upstreamKey,
                           String upstreamEtag, long runId) {
}
