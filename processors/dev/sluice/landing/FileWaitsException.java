package dev.sluice.landing;

/**
 * The landed file stays in the inbox for a later poll: PostgreSQL is down, the backoff after a failed
 * attempt is not over, this attempt failed (already logged in one line), or its archive failed. Not an
 * error: the route's onException ends the exchange quietly, and the file consumer ({@code noop}) leaves
 * the file where it is. Without a stack trace: it is thrown on purpose, possibly every poll.
 */
public class FileWaitsException extends RuntimeException {

    public FileWaitsException(String why) {
        super(why, null, false, false);
    }
}
