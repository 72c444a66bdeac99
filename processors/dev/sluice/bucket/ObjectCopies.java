package dev.sluice.bucket;

import dev.sluice.events.PipelineEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transfer stage of a poll: one claimed object version copied from the upstream bucket into
 * ours, under our storage key (ObjectKeys), with the upstream bucket, key and ETag as object
 * metadata. A source that names GRIB parameters gets just those messages, one object per parameter,
 * fetched with Range GETs from what the object's .idx sidecar says; any other object is copied whole.
 * The bytes move through ObjectTransfer, the measured streaming/multipart kernel (not the aws2-s3
 * producer: that one wants a whole body or a file to upload and signs it, where a copy streams each
 * GET's body straight into its PUT).
 */
@ApplicationScoped
@Named("objectCopies")
public class ObjectCopies {

    /** The exchange property holding what an item's transfer stored, for the catalogue step. */
    public static final String COPIED = "SluiceCopied";

    @Inject
    S3Clients clients;

    @ConfigProperty(name = "sluice.bucket")
    String storageBucket;
    @ConfigProperty(name = "sluice.transfer.part-size-mb", defaultValue = "8")
    int partSizeMb;
    @ConfigProperty(name = "sluice.transfer.attempts", defaultValue = "4")
    int attempts;
    @ConfigProperty(name = "sluice.transfer.backoff-ms", defaultValue = "500")
    long backoffMillis;
    @ConfigProperty(name = "sluice.transfer.memory-mb", defaultValue = "32")
    int memoryMb;

    private volatile ObjectTransfer transfer;

    /**
     * What one transfer stored.
     *
     * @param storageKey the object's storage key (the ledger's archive key; a GRIB subset's objects lie beneath it)
     * @param entries    one catalog entry per object written
     */
    public record Copied(String storageKey, List<CatalogEntry> entries) {
        public long bytes() {
            return entries.stream().mapToLong(CatalogEntry::bytes).sum();
        }
    }

    /** Route step (body: a claimed ObjectVersion): copies it; what was stored goes to the catalogue step. */
    public void copy(Exchange exchange) throws Exception {
        Copied copied = copy(exchange.getProperty(BucketPoll.PROPERTY, BucketPoll.class), exchange.getIn().getBody(ObjectVersion.class));
        exchange.setProperty(COPIED, copied);
        exchange.getIn().setHeader(PipelineEvents.BYTES, copied.bytes());
    }

    public Copied copy(BucketPoll poll, ObjectVersion object) throws Exception {
        BucketSource source = poll.source();
        ObjectKeys.Described described = ObjectKeys.describe(source, object.key());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("upstream-bucket", source.bucket());
        metadata.put("upstream-key", object.key());
        metadata.put("upstream-etag", object.version());
        List<CatalogEntry> entries = new ArrayList<>();
        if (source.parameters().isEmpty()) {
            long size = transfer().copy(poll.upstream(), clients.downloads(source), source.bucket(), object.key(), object.size(),
                    clients.storage(), clients.storageUploads(), storageBucket, described.storageKey(), metadata);
            entries.add(described.entry(described.parameter(), null, described.storageKey(), size,
                    source.bucket(), object.key(), object.version(), poll.runId()));
        } else {
            GribIndex index = new GribIndex(transfer().read(poll.upstream(), source.bucket(), object.key() + ".idx"));
            for (Map.Entry<String, List<GribIndex.Range>> selected : index.select(source.parameters(), object.size()).entrySet()) {
                String[] variableLevel = selected.getKey().split(":", 2);
                String key = described.storageKey() + "/" + ObjectKeys.slug(selected.getKey()) + ".grib2";
                Map<String, String> subsetMetadata = new LinkedHashMap<>(metadata);
                subsetMetadata.put("grib-parameter", selected.getKey());
                long size = transfer().copyRanges(poll.upstream(), source.bucket(), object.key(), selected.getValue(),
                        clients.storageUploads(), storageBucket, key, subsetMetadata);
                entries.add(described.entry(variableLevel[0], variableLevel[1], key, size,
                        source.bucket(), object.key(), object.version(), poll.runId()));
            }
        }
        return new Copied(described.storageKey(), entries);
    }

    private synchronized ObjectTransfer transfer() {
        // one for all transfers: its memory budget is shared
        if (transfer == null) {
            transfer = new ObjectTransfer(partSizeMb * 1024L * 1024L, attempts, backoffMillis, memoryMb * 1024L * 1024L);
        }
        return transfer;
    }
}
