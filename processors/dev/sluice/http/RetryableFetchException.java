package dev.sluice.http;

/**
 * A request that may succeed if made again: a 5xx, a 429, a timeout or a broken connection. The
 * http-ingest route's error handler redelivers the fetch step (within the source's attempts, with
 * exponential backoff); a Retry-After has already pushed the host's next slot out.
 */
public class RetryableFetchException extends Exception {

    private final int status;

    public RetryableFetchException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, 0 when no response came. */
    public int status() {
        return status;
    }
}
