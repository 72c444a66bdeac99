package dev.sluice.ledger;

import java.time.Instant;

/** What one unit of work (a file, a poll, a batch) did; stored as one ingest_run row. */
public record IngestRun(String source, String kind, String subject, String dataset, Long ledgerId,
                        long rowsRead, long rowsLoaded, long rowsRejected, long bytes,
                        Instant startedAt, Instant finishedAt, String outcome, String message) {
}
