package dev.sluice.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.bucket.BucketSource;
import dev.sluice.http.HttpSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every shipped declaration binds into the record of its kind, with its placeholders resolved by the configuration. */
class SourceKindsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Config config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "test", 500)).build();
    }

    private static Source read(String file, Config config) throws Exception {
        JsonNode node = YAML.readTree(Path.of("src/main/resources/sources", file).toFile());
        return SourceKind.ofType(node.path("type").asText()).orElseThrow().declaration().read(node, file, config);
    }

    /** A shipped bucket source's route file, as its sluice-bucket-source Kamelet binds it. */
    private static BucketSource route(Path file, Config config) throws Exception {
        JsonNode from = YAML.readTree(file.toFile()).get(0).path("route").path("from");
        assertTrue(from.path("uri").asText().startsWith("kamelet:sluice-bucket-source/"), file + " starts at the Kamelet");
        Map<String, Object> parameters = new ObjectMapper().convertValue(from.path("parameters"), new com.fasterxml.jackson.core.type.TypeReference<>() {
        });
        return (BucketSource) SourceKind.BUCKET.routeDeclaration().read(parameters, file.toString(), config);
    }

    private static List<Path> shippedBucketRoutes() throws Exception {
        List<Path> files = new java.util.ArrayList<>();
        for (Path directory : List.of(Path.of("routes"), Path.of("routes/available"))) {
            try (Stream<Path> list = Files.list(directory)) {
                for (Path file : list.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    if (Files.readString(file).contains("kamelet:sluice-bucket-source")) {
                        files.add(file);
                    }
                }
            }
        }
        return files;
    }

    @Test
    void everyShippedBucketSourceRouteFileShouldBindIntoABucketSource() throws Exception {
        List<Path> files = shippedBucketRoutes();
        assertEquals(4, files.size(), "the four NOAA sources: " + files);
        for (Path file : files) {
            BucketSource source = route(file, config(Map.of()));
            assertEquals(file.getFileName().toString(), source.name() + ".camel.yaml");
            assertTrue(source.enabled() && !source.keys().isEmpty() && source.retention() != null, source.name());
            assertEquals(source.name() + "/", source.storagePrefix());
        }
        BucketSource gfs = route(Path.of("routes/available/noaa-gfs.camel.yaml"), config(Map.of()));
        assertEquals(List.of("TMP:2 m above ground", "APCP:surface"), gfs.parameters());
        assertEquals(List.of(0, 3, 6, 9, 12, 15, 18, 21, 24), gfs.forecastHours());
    }

    @Test
    void everyShippedDeclarationShouldBindIntoTheRecordOfItsKind() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/sources"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Source source = read(file.getFileName().toString(), config(Map.of()));
                assertEquals(file.getFileName().toString(), source.name() + ".yaml");
                assertTrue(source instanceof HttpSource, source.name() + ": declaration files are HTTP sources");
                assertTrue(source.storagePrefix().endsWith(source.name() + "/"));
            }
        }
    }

    @Test
    void aUrlPlaceholderShouldComeFromTheConfigurationOrItsDefault() throws Exception {
        HttpSource shipped = (HttpSource) read("rain-gauge-csv.yaml", config(Map.of()));
        assertEquals("https://rain.district.example/rainfall/wy{water_year}.csv", shipped.url());
        HttpSource mirrored = (HttpSource) read("rain-gauge-csv.yaml", config(Map.of("RAIN_DISTRICT_URL", "http://mirror.local:8080")));
        assertEquals("http://mirror.local:8080/rainfall/wy{water_year}.csv", mirrored.url());
        assertEquals("https://x.example/a/sluice", Sources.expand("https://x.example/a/${sluice.bucket:sluice}", config(Map.of())));
    }

    @Test
    void theEndpointShouldFollowTheOverride() throws Exception {
        Config config = config(Map.of("sluice.sources.endpoint", "http://127.0.0.1:9000"));
        assertEquals("http://127.0.0.1:9000", route(Path.of("routes/noaa-mrms.camel.yaml"), config).endpoint());
        assertNull(route(Path.of("routes/noaa-mrms.camel.yaml"), config(Map.of())).endpoint());
    }

    @Test
    void eachKindShouldNameItsScheduledRoutes() throws Exception {
        HttpSource workbooks = (HttpSource) read("rain-gauge-workbooks.yaml", config(Map.of()));
        assertEquals(Map.of("source", "rain-gauge-workbooks", "timer", "rain-gauge-workbooks-2", "schedule", "0 0 4 ? * SUN",
                "periods", "current-and-previous"), new HttpSourceDriver().routes(workbooks).get("ingest-rain-gauge-workbooks-2"));
        assertEquals(2, new HttpSourceDriver().routes(workbooks).size());
        // a bucket source's route file is its route: none is made for it
        BucketSource gfs = route(Path.of("routes/available/noaa-gfs.camel.yaml"), config(Map.of()));
        assertEquals(Map.of(), new BucketSourceDriver().routes(gfs));
        assertNull(gfs.kind().template());
        assertEquals("sluice-bucket-source", gfs.kind().kamelet());
        assertEquals("http-ingest", workbooks.kind().template());
    }

    @Test
    void theKaggleSourceShouldTakeItsCredentialsFromTheEnvironmentAndNeverShowThem() throws Exception {
        HttpSource unset = (HttpSource) read("kaggle-datasets.yaml", config(Map.of()));
        assertTrue(!unset.enabled() && unset.downloads() && unset.unzip());
        assertEquals(Map.of(), unset.auth().headers(), "no credentials set: no header");
        assertEquals("kaggle-datasets/", unset.storagePrefix());

        HttpSource kaggle = (HttpSource) read("kaggle-datasets.yaml", config(Map.of(
                "KAGGLE_USERNAME", "ada", "KAGGLE_KEY", "k3y-s3cr3t", "KAGGLE_DATASET", "acme/rainfall")));
        assertEquals("https://www.kaggle.com/api/v1/datasets/download/acme/rainfall", kaggle.url());
        assertEquals(Map.of("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("ada:k3y-s3cr3t".getBytes())),
                kaggle.auth().headers());
        assertTrue(!kaggle.toString().contains("k3y-s3cr3t") && !kaggle.toString().contains(kaggle.auth().headers().get("Authorization").substring(6)),
                kaggle.toString());
    }

    @Test
    void aDeclarationShouldBeRefusedWithCredentialsInItsUrlOrDownloadFieldsBesideADataset() throws Exception {
        Config config = config(Map.of());
        JsonNode inUrl = YAML.readTree("""
                {type: http, name: leaky, url: "https://ada:k3y@example.org/file.zip"}""");
        IllegalArgumentException leaky = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SourceKind.HTTP.declaration().read(inUrl, "leaky.yaml", config));
        assertTrue(!leaky.getMessage().contains("k3y"), leaky.getMessage());
        JsonNode both = YAML.readTree("""
                {type: http, name: both, url: "https://example.org/wy{water_year}.csv", dataset: rain-gauge-readings, unzip: true}""");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SourceKind.HTTP.declaration().read(both, "both.yaml", config));
        JsonNode escaping = YAML.readTree("""
                {type: http, name: escaping, url: "https://example.org/f.zip", prefix: "../other/"}""");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> SourceKind.HTTP.declaration().read(escaping, "e.yaml", config));
    }
}
