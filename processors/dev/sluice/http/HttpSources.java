package dev.sluice.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bucket.BucketSourceDeclarations;
import dev.sluice.sources.Sources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static dev.sluice.config.YamlFields.text;

/** The HTTP sources (type: http) among the declared {@link Sources}, and how one declaration is read. */
@ApplicationScoped
public class HttpSources {

    @Inject
    Sources sources;

    public List<HttpSource> enabled() {
        return all().stream().filter(HttpSource::enabled).toList();
    }

    public Optional<HttpSource> named(String name) {
        return sources.named(name).filter(HttpSource.class::isInstance).map(HttpSource.class::cast);
    }

    public List<HttpSource> all() {
        return sources.all(HttpSource.class);
    }

    /**
     * One declaration as Sluice runs it: {@code ${KEY:default}} in its URL expanded by the
     * configuration, scheme, host and port replaced by sluice.http-sources.base-url (when set: a
     * mirror, tests), enabled as sluice.sources.enabled says (when set).
     */
    public static HttpSource read(JsonNode node, String origin, Config config) {
        String name = text(node, "name", null);
        String where = origin + " (" + name + ")";
        String url = Sources.expand(text(node, "url", null), config);
        String dataset = text(node, "dataset", null);
        if (name == null || url == null || dataset == null) {
            throw new IllegalArgumentException(where + ": name, url and dataset are required");
        }
        Optional<String> baseUrl = config.getOptionalValue("sluice.http-sources.base-url", String.class).filter(b -> !b.isBlank());
        if (baseUrl.isPresent()) {
            int path = url.indexOf('/', url.indexOf("//") + 2);
            url = baseUrl.get().replaceAll("/$", "") + (path < 0 ? "" : url.substring(path));
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
        return new HttpSource(name, text(node, "description", ""), Sources.enabled(node, name, config), url, period, dataset,
                BucketSourceDeclarations.duration(text(node, "rateLimit", "2s")), BucketSourceDeclarations.duration(text(node, "timeout", "60s")),
                node.path("attempts").asInt(6), text(auth, "header", null), text(auth, "fromEnv", null), schedules,
                BucketSourceDeclarations.duration(text(node, "refreshAfter", "30d")));
    }
}
