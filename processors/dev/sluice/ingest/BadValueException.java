package dev.sluice.ingest;

/** A value that does not fit its column; the row goes to the dead-letter table with this reason. */
public class BadValueException extends Exception {

    public BadValueException(String reason) {
        super(reason, null, false, false);
    }
}
