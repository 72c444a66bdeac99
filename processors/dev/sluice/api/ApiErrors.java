package dev.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns an API failure into its HTTP status and a JSON error body {status, message}: 400 for a
 * request that is not valid (a {@link BadRequestException}, or a body that is not the JSON the verb
 * binds), 404 {@link NotFoundException}, 405 {@link MethodNotAllowedException}, 409 {@link ConflictException},
 * 500 for anything else.
 */
@ApplicationScoped
@Named("apiErrors")
public class ApiErrors {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ApiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Answers the failed request: status, Content-Type and the body as JSON text. The body is written
     * here, not by the REST binding: the binding leaves error statuses alone (skipBindingOnErrorCode)
     * and a download's verb does not bind JSON at all, yet its 404 is JSON too.
     */
    public void answer(Exchange exchange) throws JsonProcessingException {
        Map<String, Object> error = describe(exchange);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, error.get("status"));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(error));
    }

    public Map<String, Object> describe(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof JsonProcessingException json) {
            e = new BadRequestException(bodyError(json));
        }
        int status = e instanceof NotFoundException ? 404 : e instanceof BadRequestException ? 400
                : e instanceof ConflictException ? 409 : e instanceof MethodNotAllowedException ? 405 : 500;
        if (status == 500) {
            LOG.errorf(e, "%s failed", exchange.getFromRouteId());
        }
        // an unexpected failure's text (a store's or database's error) stays in the log: it is not the client's to read
        String message = status == 500 ? exchange.getFromRouteId() + " failed; the cause is in Sluice's log"
                : e == null ? "unknown error" : String.valueOf(e.getMessage());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("status", status);
        error.put("message", message);
        return error;
    }

    /** What is wrong with a request body, said as the verb's fields, not as Jackson's classes. */
    static String bodyError(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + unknown.getPropertyName() + "'; fields are " + unknown.getKnownPropertyIds().stream()
                    .map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
        }
        String field = e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()
                ? mapping.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")) + ": " : "";
        return field + "the request body is not the JSON expected: " + e.getOriginalMessage();
    }
}
