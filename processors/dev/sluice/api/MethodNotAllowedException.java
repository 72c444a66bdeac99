package dev.sluice.api;

/** The resource exists but does not take this method (a read-only dataset's rows): HTTP 405 with this message. */
public class MethodNotAllowedException extends RuntimeException {

    public MethodNotAllowedException(String message) {
        super(message);
    }
}
