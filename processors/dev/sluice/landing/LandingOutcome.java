package dev.sluice.landing;

/**
 * What the load stage did with a landed file.
 *
 * @param ledgerId      its ledger entry
 * @param dataset       the dataset it fed
 * @param status        "loaded" or "duplicate" (same content was loaded before)
 * @param needsArchive  whether the original still has to be copied to the bucket
 * @param archiveKey    where the original goes in the bucket
 * @param sha256        content hash, recorded on the archived object too
 * @param runId         the ingest_run row of the load (for an original archived on a later poll: of the load back then;
 *                      for a .zip: of its first member loaded)
 * @param refusals      the .zip members refused, each "member: reason"; empty for any other file
 */
public record LandingOutcome(long ledgerId, String dataset, String status, boolean needsArchive, String archiveKey,
                             String sha256, Long runId, long rowsLoaded, long rowsRejected, java.util.List<String> refusals) {
}
