package dev.sluice.sources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.api.NotFoundException;
import io.smallrye.common.expression.Expression;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every declared source, of every kind. A bucket source is a route file (its route starts at the
 * sluice-bucket-source Kamelet): {@link SourceRoutes} declares it here when the route is added and
 * withdraws it when its file is deleted, and records it in PostgreSQL (source_declaration), so the
 * API and the purge of another integration (Camel K) know it too. An HTTP source is still a YAML file,
 * shipped in src/main/resources/sources/ or added in SLUICE_SOURCES_DIR (a file there replaces a
 * shipped one of the same name), bound into the record of its {@code type:} ({@link SourceKind}).
 */
@ApplicationScoped
@Named("sources")
public class Sources {

    private static final Logger LOG = Logger.getLogger(Sources.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ConfigProperty(name = "sluice.sources.dir")
    Optional<Path> extraDirectory;
    @Inject
    Config config;
    @Inject
    Instance<Object> beans;

    @Inject
    SourceDeclarationTable table;

    private final Map<String, Source> byName = new LinkedHashMap<>();
    /** Sources declared by this process's route files, by name. */
    private final Map<String, Declared> declared = new java.util.concurrent.ConcurrentHashMap<>();

    /** A source a route declared, and that route (a Kamelet's route id). */
    record Declared(Source source, String route) {
    }

    @PostConstruct
    void load() {
        Map<String, String> origins = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> file : SourceFiles.read(extraDirectory).entrySet()) {
            JsonNode node;
            try {
                node = YAML.readTree(file.getValue());
            } catch (IOException e) {
                throw new IllegalArgumentException(file.getKey() + ": not valid YAML: " + e.getMessage(), e);
            }
            String type = node == null ? "" : node.path("type").asText();
            Optional<SourceKind> kind = SourceKind.ofType(type);
            if (kind.isPresent() && kind.get().declaration() == null) {
                LOG.errorf("%s: %s sources are route files now; this file is ignored. Its replacement, to save as"
                           + " routes/%s.camel.yaml (SLUICE_ROUTES_DIR):%n%s", file.getKey(), type, node.path("name").asText("my-source"),
                        dev.sluice.bucket.BucketSourceDeclarations.routeFile(node));
                continue;
            }
            if (kind.isEmpty()) {
                LOG.warnf("%s: type '%s' is no kind of source (%s): ignored", file.getKey(), type,
                        java.util.Arrays.stream(SourceKind.values()).map(SourceKind::type).toList());
                continue;
            }
            Source source = kind.get().declaration().read(node, file.getKey(), config);
            String earlier = origins.put(source.name(), file.getKey());
            if (earlier != null) {
                throw new IllegalArgumentException(file.getKey() + ": a source named '" + source.name() + "' is already declared in " + earlier);
            }
            byName.put(source.name(), source);
        }
        LOG.infof("Source declaration files: %s", byName.values().stream().map(s -> s.name() + " (" + s.kind().type()
                + (s.enabled() ? ", enabled " + String.join(" + ", s.crons()) : ", disabled") + ")").toList());
    }

    /**
     * A route of this process declares a source (again, when its file was edited). A name another
     * route declares already is refused, naming that route, and so is the route.
     */
    public void declare(Source source, Map<String, ?> parameters, String route) {
        Declared earlier = declared.get(source.name());
        if ((earlier != null && !earlier.route().equals(route)) || byName.containsKey(source.name())) {
            throw new IllegalArgumentException("route " + route + ": a source named '" + source.name() + "' is already declared"
                                               + (earlier != null ? " by route " + earlier.route() : " in a declaration file"));
        }
        declared.put(source.name(), new Declared(source, route));
        table.record(source.name(), source.kind(), parameters, route);
        LOG.infof("Source %s (%s, %s) declared by route %s", source.name(), source.kind().type(), String.join(" + ", source.crons()), route);
    }

    /** The route that declared a source was removed (its file deleted, or edited to another source). */
    public void withdraw(String route) {
        declared.values().removeIf(d -> {
            if (d.route().equals(route)) {
                table.remove(d.source().name(), route);
                LOG.infof("Source %s withdrawn: its route %s was removed", d.source().name(), route);
                return true;
            }
            return false;
        });
    }

    /**
     * Every source, kind by kind (in {@link SourceKind} order): the declaration files', this process's
     * routes', then those other processes' routes declared (source_declaration).
     */
    public List<Source> all() {
        Map<String, Source> all = new LinkedHashMap<>(byName);
        declared.values().forEach(d -> all.put(d.source().name(), d.source()));
        for (Source elsewhere : table.declaredElsewhere(all.keySet())) {
            all.putIfAbsent(elsewhere.name(), elsewhere);
        }
        return all.values().stream().sorted(Comparator.comparing(Source::kind)).toList();
    }

    public List<Source> enabled() {
        return all().stream().filter(Source::enabled).toList();
    }

    public Optional<Source> named(String name) {
        Source source = byName.get(name);
        if (source == null && declared.containsKey(name)) {
            source = declared.get(name).source();
        }
        return source != null ? Optional.of(source) : table.declared(name);
    }

    /** The route of this process that declared the source (a source Kamelet's route), if any. */
    public Optional<String> declaringRoute(String name) {
        return Optional.ofNullable(declared.get(name)).map(Declared::route);
    }

    /** The source of this name, or 404. */
    public Source require(String name) {
        return named(name).orElseThrow(() -> new NotFoundException("no source named '" + name + "'"));
    }

    /** The sources of one kind, as their record. */
    public <S extends Source> List<S> all(Class<S> record) {
        return all().stream().filter(record::isInstance).map(record::cast).toList();
    }

    /** The driver of a source's kind. */
    @SuppressWarnings("unchecked")
    public <S extends Source> SourceDriver<S> driver(S source) {
        return (SourceDriver<S>) beans.select(source.kind().driver()).get();
    }

    /** Whether a declaration is scheduled: its {@code enabled:}, unless sluice.sources.enabled names exactly those that are. */
    public static boolean enabled(JsonNode declaration, String name, Config config) {
        return config.getOptionalValues("sluice.sources.enabled", String.class)
                .map(names -> names.contains(name))
                .orElse(declaration.path("enabled").asBoolean(false));
    }

    /**
     * A declared value with {@code ${KEY:default}} expressions expanded by the configuration (any
     * property, SLUICE_* or other environment variable), so hosts are configuration, not code.
     */
    public static String expand(String text, Config config) {
        if (text == null || !text.contains("${")) {
            return text;
        }
        return Expression.compile(text, Expression.Flag.LENIENT_SYNTAX, Expression.Flag.NO_TRIM).evaluate((context, out) -> {
            Optional<String> value = config.getOptionalValue(context.getKey(), String.class);
            if (value.isPresent()) {
                out.append(value.get());
            } else if (context.hasDefault()) {
                context.expandDefault();
            }
            // neither: empty, as an unset variable always was here
        });
    }
}
