package dev.sluice.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bucket.BucketSource;
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

    /**
     * An upstream S3 bucket polled by key templates: declared by a route file whose route starts at
     * the sluice-bucket-source Kamelet (routes/noaa-mrms.camel.yaml), not by a declaration file.
     */
    BUCKET("bucket", BucketSource.class, null, null, BucketSourceDriver.class,
            "sluice-bucket-source", dev.sluice.bucket.BucketSourceDeclarations::fromParameters),
    /** Per-period files at a URL loaded into a dataset (routes/http-ingest.camel.yaml). */
    HTTP("http", HttpSource.class, HttpSources::read, "http-ingest", HttpSourceDriver.class, null, null);

    /** Binds one declaration file (its YAML tree) into a record; {@code origin} names the file in errors. */
    @FunctionalInterface
    public interface Declaration {
        Source read(JsonNode declaration, String origin, Config config);
    }

    private final String type;
    private final Class<? extends Source> record;
    private final Declaration declaration;
    private final String template;
    private final Class<? extends SourceDriver<?>> driver;
    private final String kamelet;
    private final RouteDeclaration routeDeclaration;

    /** Binds the parameters of a source Kamelet (one route file's source) into a record; {@code origin} names the route in errors. */
    @FunctionalInterface
    public interface RouteDeclaration {
        Source read(java.util.Map<String, ?> parameters, String origin, Config config);
    }

    SourceKind(String type, Class<? extends Source> record, Declaration declaration, String template,
               Class<? extends SourceDriver<?>> driver, String kamelet, RouteDeclaration routeDeclaration) {
        this.type = type;
        this.record = record;
        this.declaration = declaration;
        this.template = template;
        this.driver = driver;
        this.kamelet = kamelet;
        this.routeDeclaration = routeDeclaration;
    }

    /** The source Kamelet a route file of this kind starts at, or null: declared by declaration files. */
    public String kamelet() {
        return kamelet;
    }

    public RouteDeclaration routeDeclaration() {
        return routeDeclaration;
    }

    public static Optional<SourceKind> ofKamelet(String kamelet) {
        return Arrays.stream(values()).filter(k -> k.kamelet != null && k.kamelet.equals(kamelet)).findFirst();
    }

    /** The declaration's {@code type:} value, also the {@code type} GET /sources reports. */
    public String type() {
        return type;
    }

    /** How a declaration file of this kind is read, or null: the kind is declared by route files only. */
    public Declaration declaration() {
        return declaration;
    }

    /** Id of the route template (in the kind's route file) its scheduled routes are made from, or null: its route files are its routes. */
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
