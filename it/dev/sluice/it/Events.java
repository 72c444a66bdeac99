package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;

/**
 * The events Sluice sent to sluice.events.uri in tests: the shared WireMock's POST /events
 * (SluiceTestResources answers 202), read back from its request journal with what it answered.
 * For any pipeline: filter by type (file.loaded, object.stored, …) and subject (a file name, a key).
 */
final class Events {

    static final String PATH = "/events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    /** One delivery of an event: the CloudEvent as sent and the HTTP status the sink answered. */
    record Delivery(JsonNode event, int status) {

        boolean accepted() {
            return status >= 200 && status < 300;
        }

        JsonNode data() {
            return event.get("data");
        }
    }

    /** Every delivery of events of this type (without the "dev.sluice." prefix) about this subject, oldest first. */
    static List<Delivery> deliveries(String type, String subject) {
        return SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("POST") && e.getRequest().getUrl().equals(PATH))
                .sorted(Comparator.comparing(e -> e.getRequest().getLoggedDate()))
                .map(Events::delivery)
                .filter(d -> d.event().path("type").asText().equals("dev.sluice." + type))
                .filter(d -> d.event().path("subject").asText().equals(subject))
                .toList();
    }

    /** The events of this type about this subject that the sink accepted (2xx): what a consumer got. */
    static List<JsonNode> accepted(String type, String subject) {
        return deliveries(type, subject).stream().filter(Delivery::accepted).map(Delivery::event).toList();
    }

    /**
     * The sink answers the first event about this subject with this status, and later ones as usual
     * (202). Remove the stub after the test ({@link #remove}); nothing else is reset.
     */
    static StubMapping failFirstDelivery(String subject, int status) {
        return SluiceTestResources.upstream.stubFor(WireMock.post(WireMock.urlEqualTo(PATH)).atPriority(1)
                .withRequestBody(WireMock.matchingJsonPath("$.subject", WireMock.equalTo(subject)))
                .inScenario("events-fail-first-" + subject).whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("failed once")
                .willReturn(WireMock.aResponse().withStatus(status)));
    }

    static void remove(StubMapping stub) {
        SluiceTestResources.upstream.removeStub(stub);
    }

    private static Delivery delivery(ServeEvent served) {
        try {
            return new Delivery(JSON.readTree(served.getRequest().getBodyAsString()), served.getResponse().getStatus());
        } catch (IOException e) {
            throw new UncheckedIOException("not an event: " + served.getRequest().getBodyAsString(), e);
        }
    }
}
