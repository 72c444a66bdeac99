package dev.sluice.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.util.Map;

/** Turns an API failure into a JSON error body and its HTTP status. */
@ApplicationScoped
@Named("apiErrors")
public class ApiErrors {

    public Map<String, Object> describe(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int status = e instanceof NotFoundException ? 404 : e instanceof BadRequestException ? 400 : 500;
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return Map.of("status", status, "message", e == null ? "unknown error" : String.valueOf(e.getMessage()));
    }
}
