package dev.sluice.bucket;

import dev.sluice.events.PipelineEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

/**
 * The split's aggregation: adds each object version's outcome (SluiceOutcome, SluiceBytes) to its
 * poll's counts, which the poll's ingest_run row and metrics are finished with. An item that failed
 * counts as failed and does not fail the poll: the others go on, and a later poll retries it.
 */
@ApplicationScoped
@Named("bucketPollSummary")
public class BucketPollSummary implements AggregationStrategy {

    private static final Logger LOG = Logger.getLogger(BucketPollSummary.class);

    @Override
    public Exchange aggregate(Exchange summary, Exchange item) {
        BucketPoll poll = item.getProperty(BucketPoll.PROPERTY, BucketPoll.class);
        String outcome = item.getIn().getHeader(PipelineEvents.OUTCOME, String.class);
        if (item.getException() != null) {
            LOG.warnf(item.getException(), "%s: %s failed", poll.source().name(), item.getIn().getHeader(PipelineEvents.SUBJECT));
            item.setException(null);
            outcome = ObjectClaims.FAILED;
        }
        Long bytes = item.getIn().getHeader(PipelineEvents.BYTES, Long.class);
        poll.counted(outcome, bytes == null ? 0 : bytes);
        return summary == null ? item : summary;
    }
}
