package dev.sluice.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every route file is valid Camel YAML DSL: checked against the schema the camel-yaml-dsl jar ships. */
class RouteFilesSchemaTest {

    @Test
    void everyRouteFileShouldValidateAgainstTheYamlDslSchema() throws Exception {
        JsonSchema schema;
        try (InputStream in = org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        // the shipped route files and those shipped disabled (routes/available/)
        List<Path> files = new java.util.ArrayList<>();
        for (Path directory : List.of(Path.of("routes"), Path.of("routes/available"))) {
            try (Stream<Path> list = Files.list(directory)) {
                files.addAll(list.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList());
            }
        }
        assertTrue(files.size() >= 9, "route files: " + files);
        assertTrue(files.stream().anyMatch(f -> f.startsWith(Path.of("routes/available"))), "routes/available/: " + files);
        for (Path file : files) {
            JsonNode routes = yaml.readTree(file.toFile());
            Set<ValidationMessage> errors = schema.validate(routes);
            assertTrue(errors.isEmpty(), file + " is not valid YAML DSL: " + errors.stream().limit(3).toList());
        }
    }
}
