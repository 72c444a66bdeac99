package dev.sluice.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.util.Map;

/** Turns an API failure into a JSON error body and its HTTP status. */
@ApplicationScoped
@Named("apiErrors")
public class ApiErrors {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ApiErrors.class);

    public Map<String, Object> describe(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
            e = new BadRequestException("the request body is not the JSON expected: " + json.getOriginalMessage());
        }
        int status = e instanceof NotFoundException ? 404 : e instanceof BadRequestException ? 400
                : e instanceof ConflictException ? 409 : 500;
        if (status == 500) {
            LOG.errorf(e, "%s failed", exchange.getFromRouteId());
        }
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json");
        // an unexpected failure's text (a store's or database's error) stays in the log: it is not the client's to read
        String message = status == 500 ? exchange.getFromRouteId() + " failed; the cause is in Sluice's log"
                : e == null ? "unknown error" : String.valueOf(e.getMessage());
        return Map.of("status", status, "message", message);
    }
}
