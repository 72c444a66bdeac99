package dev.sluice.ingest;

import java.io.Closeable;
import java.io.IOException;

/** Reads a file record by record, mapping each onto the dataset's columns. */
public interface RecordReader extends Closeable {

    /** The next record, or null at the end of the file. */
    RawRecord next() throws IOException;
}
