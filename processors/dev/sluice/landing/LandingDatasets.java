package dev.sluice.landing;

import dev.sluice.dataset.DatasetDefinition;
import dev.sluice.dataset.DatasetRegistry;
import dev.sluice.events.PipelineEvents;
import dev.sluice.ingest.RejectedFileException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

/**
 * The landing route's dataset stage: the dataset whose declared file patterns match the file's name
 * (the first declared wins) goes into the SluiceDataset header, which the load stage reads; a file no
 * declaration matches is refused to error/. Only the name is looked at: nothing is opened here.
 */
@ApplicationScoped
@Named("landingDatasets")
public class LandingDatasets {

    @Inject
    DatasetRegistry datasets;

    /** Route step: sets SluiceDataset, or refuses the file. */
    public void match(Exchange exchange) {
        String name = LandingGate.file(exchange).getFileName().toString();
        DatasetDefinition dataset = datasets.forFile(name).orElseThrow(() -> new RejectedFileException(
                "no dataset declaration matches the file name (declared patterns: "
                + datasets.all().stream().flatMap(d -> d.files().stream()).toList() + ")"));
        exchange.getIn().setHeader(PipelineEvents.DATASET, dataset.name());
    }
}
