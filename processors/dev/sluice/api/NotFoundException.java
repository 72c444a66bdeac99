package dev.sluice.api;

/** The thing asked for does not exist: HTTP 404. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String message) {
        super(message);
    }
}
