package dev.sluice.ingest;

/**
 * One record read from a file, before type conversion.
 *
 * @param number first line (or row) of the record in its file, 1-based
 * @param raw    the record as it appeared, for the dead-letter table
 * @param values one value per dataset column, in column order; null where absent or empty
 * @param error  why the record could not even be split into values, or null
 */
public record RawRecord(long number, String raw, String[] values, String error) {

    public static RawRecord bad(long number, String raw, String error) {
        return new RawRecord(number, raw, null, error);
    }
}
