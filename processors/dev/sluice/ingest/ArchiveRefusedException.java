package dev.sluice.ingest;


/**
 * A compressed file that is refused whole: corrupt or truncated (its rows are not to be trusted, even
 * those before the damage), or inflating past a cap (a zip bomb). Unlike a refused .zip member, which
 * leaves the other members to load, it rejects the whole file: to error/ with this reason, nothing of
 * it committed.
 */
public class ArchiveRefusedException extends RejectedFileException {

    public ArchiveRefusedException(String reason) {
        super(reason);
    }
}
