package dev.sluice.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One JSON event per item a pipeline handled (a file loaded or rejected, an object stored, a period
 * fetched, a purge batch, a bronze batch, a silver file), sent to the endpoint URI the user sets in
 * {@code sluice.events.uri} (SLUICE_EVENTS_URI; unset: no events). Any Camel endpoint does: an
 * {@code http(s):} webhook, {@code kafka:} with camel-kafka on the class path, {@code file:} for an audit trail.
 *
 * <p>A route step {@code bean: {ref: pipelineEvents, method: "emit(*, 'object.stored')"}} reads the
 * item's lineage from the exchange headers below and leaves the exchange as it was. The event is a
 * CloudEvent (structured JSON mode) whose id is derived from what it says (type, source, subject,
 * version, outcome), so a consumer can drop a duplicate should an item ever be told twice. A sink that
 * fails is tried {@code sluice.events.attempts} times; then the event is logged as lost and the
 * pipeline goes on: an unreachable sink never holds back the data.
 */
@ApplicationScoped
@Named("pipelineEvents")
public class PipelineEvents {

    /** The source (declaration name) or pipeline the item belongs to. */
    public static final String SOURCE = "SluiceSource";
    /** The item: an object key, a file name, a URL, a batch. */
    public static final String SUBJECT = "SluiceSubject";
    /** The item's version: an ETag or a sha256. */
    public static final String VERSION = "SluiceVersion";
    public static final String RUN_ID = "SluiceRunId";
    public static final String DATASET = "SluiceDataset";
    /** Rows loaded (inserted or updated). */
    public static final String ROWS = "SluiceRows";
    /** Rows that went to dead_letter instead. */
    public static final String ROWS_REJECTED = "SluiceRowsRejected";
    public static final String BYTES = "SluiceBytes";
    public static final String OUTCOME = "SluiceOutcome";
    public static final String ERROR = "SluiceError";
    /** Where the item's bytes are kept in our bucket (an archived original, a stored object). */
    public static final String STORED_AS = "SluiceStoredAs";

    private static final Logger LOG = Logger.getLogger(PipelineEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "sluice.events.uri")
    Optional<String> uri;
    @ConfigProperty(name = "sluice.events.attempts", defaultValue = "3")
    int attempts;
    @ConfigProperty(name = "sluice.events.backoff-ms", defaultValue = "200")
    long backoffMillis;

    @Inject
    ProducerTemplate producer;

    public boolean enabled() {
        return uri.isPresent() && !uri.get().isBlank();
    }

    /** Route step: tells the item the exchange describes as an event of the given type (e.g. {@code file.loaded}). */
    public void emit(Exchange exchange, String type) {
        if (!enabled()) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        for (String header : new String[]{SOURCE, SUBJECT, VERSION, RUN_ID, DATASET, ROWS, ROWS_REJECTED, BYTES, STORED_AS, OUTCOME, ERROR}) {
            Object value = exchange.getIn().getHeader(header);
            if (value != null) {
                data.put(field(header), value instanceof Number || value instanceof Boolean ? value : value.toString());
            }
        }
        send(type, data);
    }

    /** Tells an item described in Java (a summary a bean made) as an event of the given type. */
    public void send(String type, Map<String, Object> data) {
        if (!enabled()) {
            return;
        }
        String body = describe(type, data, Instant.now());
        Exception last = null;
        for (int attempt = 1; attempt <= Math.max(1, attempts); attempt++) {
            try {
                Exchange sent = producer.send(uri.get(), e -> {
                    e.getIn().setBody(body);
                    e.getIn().setHeader(Exchange.CONTENT_TYPE, "application/cloudevents+json; charset=UTF-8");
                    e.getIn().setHeader(Exchange.HTTP_METHOD, "POST");
                });
                last = sent.getException();
            } catch (RuntimeException unusable) {
                last = unusable; // e.g. a URI whose component is not on the class path: the pipeline still goes on
            }
            if (last == null) {
                return;
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(backoffMillis << (attempt - 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        LOG.warnf("An event could not be sent to sluice.events.uri after %d attempts (%s): %s", attempts,
                last == null ? "interrupted" : last.getMessage(), body);
    }

    /** The CloudEvent, as JSON: its id is a name-based UUID of what it says, the same for the same item. */
    static String describe(String type, Map<String, Object> data, Instant time) {
        Map<String, Object> event = new LinkedHashMap<>();
        String source = String.valueOf(data.getOrDefault("source", "sluice"));
        String identity = type + '\n' + source + '\n' + data.get("subject") + '\n' + data.get("version") + '\n' + data.get("outcome");
        event.put("specversion", "1.0");
        event.put("id", UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString());
        event.put("type", "dev.sluice." + type);
        event.put("source", "/sluice/" + source);
        if (data.get("subject") != null) {
            event.put("subject", String.valueOf(data.get("subject")));
        }
        event.put("time", time.toString());
        event.put("datacontenttype", "application/json");
        event.put("data", data);
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SluiceRunId → runId */
    private static String field(String header) {
        String name = header.substring("Sluice".length());
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
