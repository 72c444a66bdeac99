package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ingest.RejectedFileException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The landing route's dataset stage: the dataset whose declared file patterns match the file's name
 * (the first declared wins) goes into the SluiceDataset header, which the load stage reads; a file no
 * declaration matches is refused to error/. Only the name is looked at: the inner name of a .gz
 * (rain-2024.csv.gz → rain-2024.csv), the member names of a .zip (its directory is read, nothing
 * inflated; the first member that matches names the dataset its original is archived under, each
 * member is matched again when it is loaded).
 */
@ApplicationScoped
@Named("landingDatasets")
public class LandingDatasets {

    @Inject
    DatasetRegistry datasets;
    @Inject
    LandedContentLoader content;
    @Inject
    LandingGate gate;

    /** Route step: sets SluiceDataset, or refuses the file. */
    public void match(Exchange exchange) {
        Path file = LandingGate.file(exchange);
        String name = file.getFileName().toString();
        java.util.Optional<DatasetDefinition> matched;
        try {
            matched = content.datasetOf(file, name);
        } catch (IOException e) {
            // reading a .zip's directory failed (not a damaged zip: that is refused): an attempt, as a failed load is
            throw gate.failed(exchange, e);
        }
        DatasetDefinition dataset = matched.orElseThrow(() -> new RejectedFileException(
                (Packing.of(name) == Packing.ZIP ? "no dataset declaration matches the name of any member of the zip archive"
                        : "no dataset declaration matches the file name" + (Packing.of(name) == Packing.GZIP
                        ? " inside the .gz (" + Packing.innerName(name) + ")" : ""))
                + " (declared patterns: " + datasets.all().stream().flatMap(d -> d.files().stream()).toList() + ")"));
        exchange.getIn().setHeader(PipelineEvents.DATASET, dataset.name());
    }
}
