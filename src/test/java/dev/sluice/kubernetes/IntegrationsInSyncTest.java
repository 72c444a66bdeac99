package dev.sluice.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kubernetes/camel-k/ is exactly what IntegrationGenerator makes of routes/ (the build fails on
 * drift), every CR is valid against the Camel K v2.10.1 Integration CRD, and the cron integrations
 * meet the cron trait's rules. kubernetes/camel-k/kamelets/ holds the shipped Kamelets as they are,
 * each valid against the Camel K v2.10.1 Kamelet CRD.
 */
class IntegrationsInSyncTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** the Camel K v2.10.1 Integration CRD (src/test/resources/camel-k/) */
    private static final String CRD = "/camel-k/camel.apache.org_integrations.yaml";
    /** the Camel K v2.10.1 Kamelet CRD (src/test/resources/camel-k/) */
    private static final String KAMELET_CRD = "/camel-k/camel.apache.org_kamelets.yaml";

    @Test
    void theIntegrationCrsShouldBeExactlyWhatTheRouteFilesSay() throws Exception {
        Map<String, String> expected = IntegrationGenerator.generate();
        if (Boolean.getBoolean("sluice.regenerate")) {
            try (Stream<Path> old = Files.list(IntegrationGenerator.OUTPUT)) {
                for (Path f : old.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    Files.delete(f);
                }
            }
            for (Map.Entry<String, String> cr : expected.entrySet()) {
                Files.writeString(IntegrationGenerator.OUTPUT.resolve(cr.getKey()), cr.getValue());
            }
        }
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(IntegrationGenerator.OUTPUT)) {
            files.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> present.add(f.getFileName().toString()));
        }
        String hint = " — regenerate with: mvn -B test -Dtest=IntegrationsInSyncTest -Dsluice.regenerate=true";
        assertEquals(expected.keySet(), present, "kubernetes/camel-k/ has other files than routes/ makes" + hint);
        for (Map.Entry<String, String> cr : expected.entrySet()) {
            assertEquals(cr.getValue(), Files.readString(IntegrationGenerator.OUTPUT.resolve(cr.getKey())),
                    cr.getKey() + " differs from its route file" + hint);
        }
    }

    @Test
    void theKameletCrsShouldBeExactlyTheShippedKamelets() throws Exception {
        Map<String, String> expected = IntegrationGenerator.kamelets();
        if (Boolean.getBoolean("sluice.regenerate")) {
            Files.createDirectories(IntegrationGenerator.KAMELET_OUTPUT);
            try (Stream<Path> old = Files.list(IntegrationGenerator.KAMELET_OUTPUT)) {
                for (Path f : old.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                    Files.delete(f);
                }
            }
            for (Map.Entry<String, String> kamelet : expected.entrySet()) {
                Files.writeString(IntegrationGenerator.KAMELET_OUTPUT.resolve(kamelet.getKey()), kamelet.getValue());
            }
        }
        assertEquals(Set.of("sluice-bucket-source.kamelet.yaml", "sluice-catalog-sink.kamelet.yaml", "sluice-object-copy-action.kamelet.yaml"),
                expected.keySet(), "the shipped Kamelets");
        Set<String> present = new TreeSet<>();
        try (Stream<Path> files = Files.list(IntegrationGenerator.KAMELET_OUTPUT)) {
            files.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> present.add(f.getFileName().toString()));
        }
        String hint = " — regenerate with: mvn -B test -Dtest=IntegrationsInSyncTest -Dsluice.regenerate=true";
        assertEquals(expected.keySet(), present, "kubernetes/camel-k/kamelets/ has other files than src/main/resources/kamelets/" + hint);
        for (Map.Entry<String, String> kamelet : expected.entrySet()) {
            assertEquals(kamelet.getValue(), Files.readString(IntegrationGenerator.KAMELET_OUTPUT.resolve(kamelet.getKey())),
                    kamelet.getKey() + " differs from the shipped Kamelet" + hint);
        }
    }

    @Test
    void everyKameletCrShouldBeValidAgainstTheCamelKKameletCrd() throws Exception {
        JsonNode crd;
        try (var in = IntegrationsInSyncTest.class.getResourceAsStream(KAMELET_CRD)) {
            crd = YAML.readTree(in);
        }
        JsonNode openApi = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
        Map<String, String> kamelets = IntegrationGenerator.kamelets();
        for (Map.Entry<String, String> file : kamelets.entrySet()) {
            JsonNode kamelet = YAML.readTree(file.getValue());
            Set<ValidationMessage> errors = schema.validate(kamelet);
            assertTrue(errors.isEmpty(), file.getKey() + ": " + errors);
            assertEquals("camel.apache.org/v1", kamelet.path("apiVersion").asText());
            assertEquals(crd.path("spec").path("names").path("kind").asText(), kamelet.path("kind").asText());
            // Camel loads <location>/<name>.kamelet.yaml, the operator looks the CR up by its name
            assertEquals(file.getKey(), kamelet.path("metadata").path("name").asText() + ".kamelet.yaml", "the file is named after the Kamelet");
            assertTrue(Set.of("source", "sink", "action").contains(kamelet.path("metadata").path("labels").path("camel.apache.org/kamelet.type").asText()),
                    file.getKey() + ": label camel.apache.org/kamelet.type source, sink or action");
            assertTrue(kamelet.path("spec").path("template").path("from").isObject() || kamelet.path("spec").path("template").path("route").path("from").isObject(),
                    file.getKey() + ": a route template");
        }
        // and the check can fail: dependencies that are not a list of strings are refused
        JsonNode broken = YAML.readTree(kamelets.get("sluice-catalog-sink.kamelet.yaml"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("spec")).put("dependencies", "camel:bean");
        assertFalse(schema.validate(broken).isEmpty(), "the CRD schema refuses a string for spec.dependencies");
    }

    @Test
    void integrationsServingHttpShouldListenOnThePodsAddress() throws Exception {
        // Sluice binds to loopback unless SLUICE_HTTP_HOST says otherwise; an API integration is reached through its Service
        int serving = 0;
        for (Map.Entry<String, String> cr : IntegrationGenerator.generate().entrySet()) {
            JsonNode spec = YAML.readTree(cr.getValue()).path("spec");
            if (spec.path("dependencies").toString().contains("\"camel:platform-http\"")) {
                serving++;
                assertTrue(spec.path("traits").path("environment").path("vars").toString().contains("\"SLUICE_HTTP_HOST=0.0.0.0\""),
                        cr.getKey() + " serves HTTP but does not set SLUICE_HTTP_HOST=0.0.0.0 (trait=environment.vars=…)");
            }
        }
        assertEquals(4, serving, "the datasets, catalog, sources and status APIs");
    }

    @Test
    void everyCrShouldBeValidAgainstTheCamelKIntegrationCrd() throws Exception {
        JsonNode crd;
        try (var in = IntegrationsInSyncTest.class.getResourceAsStream(CRD)) {
            crd = YAML.readTree(in);
        }
        JsonNode openApi = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
        for (Map.Entry<String, String> cr : IntegrationGenerator.generate().entrySet()) {
            JsonNode integration = YAML.readTree(cr.getValue());
            Set<ValidationMessage> errors = schema.validate(integration);
            assertTrue(errors.isEmpty(), cr.getKey() + ": " + errors);
            assertEquals("camel.apache.org/v1", integration.path("apiVersion").asText());
            assertEquals(crd.path("spec").path("names").path("kind").asText(), integration.path("kind").asText());
        }
        // and the check can fail: a trait value of the wrong type is refused
        JsonNode broken = YAML.readTree(IntegrationGenerator.generate().get("sluice-retention-purge.yaml"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) broken.path("spec").path("traits").path("cron")).put("activeDeadlineSeconds", "an hour");
        assertFalse(schema.validate(broken).isEmpty(), "the CRD schema refuses a string deadline");
    }

    @Test
    void cronIntegrationsShouldMeetTheCronTraitsRules() throws Exception {
        Pattern periodic = Pattern.compile("uri: \"?(cron|timer|quartz):");
        Pattern schedule = Pattern.compile("schedule: \"([^\"]+)\"");
        int cronJobs = 0;
        for (Map.Entry<String, String> cr : IntegrationGenerator.generate().entrySet()) {
            JsonNode integration = YAML.readTree(cr.getValue());
            String content = integration.path("spec").path("sources").get(0).path("content").asText();
            JsonNode cron = integration.path("spec").path("traits").path("cron");
            if (!cron.path("enabled").asBoolean(false)) {
                continue;
            }
            cronJobs++;
            assertEquals(1, periodic.matcher(content).results().count(), cr.getKey() + ": exactly one periodic consumer");
            assertFalse(content.contains("platform-http") || content.contains("- rest:") || content.contains("uri: \"file:"),
                    cr.getKey() + ": no other active consumer");
            var m = schedule.matcher(content);
            assertTrue(m.find(), cr.getKey() + ": a schedule");
            String[] fields = m.group(1).trim().split("\\s+");
            assertEquals(5, fields.length, cr.getKey() + ": five fields, no seconds: " + m.group(1));
            assertTrue(cron.path("activeDeadlineSeconds").asLong() >= 600, cr.getKey() + ": a deadline sized for the work");
        }
        assertEquals(List.of(2), List.of(cronJobs), "retention-purge and bronze-silver run as CronJobs");
    }
}
