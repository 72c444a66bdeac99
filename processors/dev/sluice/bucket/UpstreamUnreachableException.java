package dev.sluice.bucket;

/**
 * A scheduled poll could not reach the upstream bucket: what opens the sluice-bucket-source Kamelet's circuit
 * breaker, so the source's next polls are skipped for a while instead of each failing the same way.
 */
public class UpstreamUnreachableException extends RuntimeException {

    public UpstreamUnreachableException(String message) {
        super(message);
    }
}
