package dev.sluice.landing;

/**
 * What happened to a landed file.
 *
 * @param ledgerId      its ledger entry
 * @param dataset       the dataset it fed
 * @param status        "loaded" or "duplicate" (same content was loaded before)
 * @param needsArchive  whether the original still has to be copied to the bucket
 * @param archiveKey    where the original goes in the bucket
 * @param sha256        content hash, recorded on the archived object too
 */
public record LandingOutcome(long ledgerId, String dataset, String status, boolean needsArchive, String archiveKey,
                             String sha256, long rowsLoaded, long rowsRejected) {
}
