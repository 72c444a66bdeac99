package dev.sluice.dataset;

/**
 * The dataset is stopped: its table differs from its declaration in a way Sluice does not change on its
 * own (see {@link DatasetTables}). Nothing loads into it until the declaration or the table is fixed.
 */
public class DatasetStoppedException extends IllegalStateException {

    public DatasetStoppedException(String dataset, String reason) {
        super("dataset " + dataset + " is stopped: " + reason);
    }
}
