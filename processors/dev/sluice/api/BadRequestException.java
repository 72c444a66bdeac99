package dev.sluice.api;

/** The request is not valid: HTTP 400 with this message. */
public class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
