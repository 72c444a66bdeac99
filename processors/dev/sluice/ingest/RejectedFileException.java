package dev.sluice.ingest;

/** A file that cannot be processed at all (no dataset, empty, binary, no header…); it goes to error/ with this reason. */
public class RejectedFileException extends RuntimeException {

    public RejectedFileException(String reason) {
        super(reason);
    }
}
