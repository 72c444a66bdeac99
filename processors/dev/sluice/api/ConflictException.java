package dev.sluice.api;

/** The request clashes with what exists: HTTP 409 with this message. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }
}
