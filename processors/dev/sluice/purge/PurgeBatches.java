package dev.sluice.purge;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The batch stages of the retention purge (routes/retention-purge.camel.yaml), for any kind of
 * target: the expired batches (split by the route), a batch's rows once its objects are deleted, and
 * what is left after the last batch.
 */
@ApplicationScoped
@Named("purgeBatches")
public class PurgeBatches {

    @Inject
    SourceObjectsPurge sourceObjects;
    @Inject
    RawArchivePurge rawArchives;
    @Inject
    DatasetRowPurge datasetRows;

    /** A target's expired batches, each fetched (and marked) only when the split asks for it. */
    public Iterator<PurgeBatch> expired(PurgeRun run) {
        return switch (run.target().kind()) {
            case OBJECTS -> sourceObjects.batches(run);
            case RAW_ARCHIVES -> rawArchives.batches(run);
            case ROWS -> datasetRows.batches(run);
        };
    }

    /** Deletes the rows of a batch whose objects are deleted (or refused); counts the batch into its run. */
    public PurgeBatch deleteRows(PurgeBatch batch) throws SQLException {
        switch (batch.run().target().kind()) {
            case OBJECTS -> sourceObjects.deleteRows(batch);
            case RAW_ARCHIVES -> rawArchives.deleteRows(batch);
            case ROWS -> datasetRows.deleteRows(batch);
        }
        return batch;
    }

    /** After the last batch: a bucket source's ledger rows whose object is no longer catalogued. */
    public PurgeRun afterBatches(PurgeRun run) throws SQLException {
        if (run.target().kind() == PurgeTarget.Kind.OBJECTS) {
            run.add(sourceObjects.deleteLedgerRows(run));
        }
        return run;
    }

    /** Batches fetched one at a time, until a fetch comes back empty. */
    abstract static class Cursor implements Iterator<PurgeBatch> {

        private final PurgeRun run;
        private PurgeBatch next;
        private boolean exhausted;

        Cursor(PurgeRun run) {
            this.run = run;
        }

        /** The next batch's items after the cursor (moving it on); empty when there are no more. */
        abstract List<PurgeBatch.Item> fetch() throws SQLException;

        @Override
        public boolean hasNext() {
            if (next == null && !exhausted) {
                try {
                    List<PurgeBatch.Item> items = fetch();
                    if (items.isEmpty()) {
                        exhausted = true;
                    } else {
                        next = new PurgeBatch(run, items);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot fetch the next purge batch of " + run.target().name() + ": " + e.getMessage(), e);
                }
            }
            return next != null;
        }

        @Override
        public PurgeBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            PurgeBatch batch = next;
            next = null;
            return batch;
        }
    }
}
