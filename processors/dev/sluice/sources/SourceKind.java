package dev.sluice.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bucket.BucketSource;
import dev.sluice.bucket.BucketSourceDeclarations;
import dev.sluice.http.HttpSource;
import dev.sluice.http.HttpSources;
import org.eclipse.microprofile.config.Config;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of source, and the one place that knows them: a declaration's {@code type:}, the record
 * it is bound into, the route template its scheduled routes are made from, and the driver that
 * runs, backfills and describes it. A new kind is one entry here, one record implementing
 * {@link Source}, one {@link SourceDriver} and one route template.
 */
public enum SourceKind {

    /** An upstream S3 bucket polled by key templates (routes/bucket-ingest.camel.yaml). */
    BUCKET("bucket", BucketSource.class, BucketSourceDeclarations::read, "bucket-ingest", BucketSourceDriver.class),
    /** Per-period files at a URL loaded into a dataset (routes/http-ingest.camel.yaml). */
    HTTP("http", HttpSource.class, HttpSources::read, "http-ingest", HttpSourceDriver.class);

    /** Binds one declaration (its YAML tree) into a record; {@code origin} names the file in errors. */
    @FunctionalInterface
    public interface Declaration {
        Source read(JsonNode declaration, String origin, Config config);
    }

    private final String type;
    private final Class<? extends Source> record;
    private final Declaration declaration;
    private final String template;
    private final Class<? extends SourceDriver<?>> driver;

    SourceKind(String type, Class<? extends Source> record, Declaration declaration, String template,
               Class<? extends SourceDriver<?>> driver) {
        this.type = type;
        this.record = record;
        this.declaration = declaration;
        this.template = template;
        this.driver = driver;
    }

    /** The declaration's {@code type:} value, also the {@code type} GET /sources reports. */
    public String type() {
        return type;
    }

    public Declaration declaration() {
        return declaration;
    }

    /** Id of the route template (in the kind's route file) its scheduled routes are made from. */
    public String template() {
        return template;
    }

    public Class<? extends SourceDriver<?>> driver() {
        return driver;
    }

    public static Optional<SourceKind> ofType(String type) {
        return Arrays.stream(values()).filter(k -> k.type.equals(type)).findFirst();
    }

    static SourceKind of(Source source) {
        return Arrays.stream(values()).filter(k -> k.record.isInstance(source)).findFirst()
                .orElseThrow(() -> new IllegalStateException(source.getClass() + " is no kind of source (SourceKind)"));
    }
}
