package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.bucket.BucketSourceDeclarations;
import dev.sluice.sources.SourceFiles;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.sluice.config.YamlFields.text;

/** The HTTP sources (type: http) among the source definition files. */
@ApplicationScoped
public class HttpSources {

    private static final Logger LOG = Logger.getLogger(HttpSources.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ConfigProperty(name = "sluice.sources.dir")
    Optional<Path> extraDirectory;
    /** When set, exactly these sources are enabled, whatever their files say. */
    @ConfigProperty(name = "sluice.sources.enabled")
    Optional<List<String>> enabledOverride;
    /** When set, every HTTP source's scheme, host and port are replaced by this base URL (a mirror, tests). */
    @ConfigProperty(name = "sluice.http-sources.base-url")
    Optional<String> baseUrlOverride;

    private final Map<String, HttpSource> byName = new LinkedHashMap<>();

    @PostConstruct
    void load() {
        for (Map.Entry<String, byte[]> file : SourceFiles.read(extraDirectory).entrySet()) {
            JsonNode node;
            try {
                node = YAML.readTree(file.getValue());
            } catch (IOException e) {
                throw new IllegalArgumentException(file.getKey() + ": not valid YAML: " + e.getMessage(), e);
            }
            if ("http".equals(node.path("type").asText())) {
                HttpSource source = parse(node, file.getKey());
                byName.put(source.name(), source);
            }
        }
        LOG.infof("HTTP sources: %s", byName.keySet());
    }

    HttpSource parse(JsonNode node, String origin) {
        String name = text(node, "name", null);
        String where = origin + " (" + name + ")";
        String url = environment(text(node, "url", null));
        String dataset = text(node, "dataset", null);
        if (name == null || url == null || dataset == null) {
            throw new IllegalArgumentException(where + ": name, url and dataset are required");
        }
        if (baseUrlOverride.isPresent() && !baseUrlOverride.get().isBlank()) {
            int path = url.indexOf('/', url.indexOf("//") + 2);
            url = baseUrlOverride.get().replaceAll("/$", "") + (path < 0 ? "" : url.substring(path));
        }
        Periods.Kind period = Periods.Kind.valueOf(text(node, "period", "water_year").toUpperCase(Locale.ROOT));
        JsonNode auth = node.path("auth");
        List<HttpSource.Schedule> schedules = new java.util.ArrayList<>();
        for (JsonNode schedule : node.path("schedules")) {
            String cron = text(schedule, "cron", "");
            String periods = text(schedule, "periods", "current");
            if (cron.trim().split("\\s+").length != 5 || !List.of("current", "current-and-previous", "stale").contains(periods)) {
                throw new IllegalArgumentException(where + ": a schedule needs a 5-field cron and periods current, current-and-previous or stale");
            }
            schedules.add(new HttpSource.Schedule(cron, periods));
        }
        boolean enabled = enabledOverride.map(names -> names.contains(name)).orElse(node.path("enabled").asBoolean(false));
        return new HttpSource(name, text(node, "description", ""), enabled, url, period, dataset,
                BucketSourceDeclarations.duration(text(node, "rateLimit", "2s")), BucketSourceDeclarations.duration(text(node, "timeout", "60s")),
                node.path("attempts").asInt(6), text(auth, "header", null), text(auth, "fromEnv", null), schedules,
                BucketSourceDeclarations.duration(text(node, "refreshAfter", "30d")));
    }

    /** ${NAME:default} in a URL comes from the environment, so hosts are configuration, not code. */
    static String environment(String text) {
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$\\{(\\w+)(?::([^}]*))?}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = System.getenv(m.group(1));
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value != null ? value : m.group(2) == null ? "" : m.group(2)));
        }
        return m.appendTail(out).toString();
    }

    public List<HttpSource> enabled() {
        return byName.values().stream().filter(HttpSource::enabled).toList();
    }

    public Optional<HttpSource> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<HttpSource> all() {
        return List.copyOf(byName.values());
    }
}
