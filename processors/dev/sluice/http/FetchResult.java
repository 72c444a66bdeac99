package dev.sluice.http;

import java.nio.file.Path;

/**
 * What a conditional GET came to.
 *
 * @param outcome      FETCHED (body in {@code file}), NOT_MODIFIED (304), NOT_AVAILABLE (404) or FAILED
 * @param status       last HTTP status (0 when no response came)
 * @param etag         validator to send next time
 * @param lastModified validator to send next time
 * @param file         the body, streamed to disk (FETCHED only)
 * @param bytes        body size
 * @param sha256       body hash (hex)
 * @param attempts     requests made by this fetch (1: a retry is the route's, which counts them)
 * @param error        why it failed (FAILED only)
 * @param fileName     the file name the server gave (Content-Disposition), or null
 */
public record FetchResult(Outcome outcome, int status, String etag, String lastModified, Path file, long bytes,
                          String sha256, int attempts, String error, String fileName) {

    public enum Outcome { FETCHED, NOT_MODIFIED, NOT_AVAILABLE, FAILED }
}
