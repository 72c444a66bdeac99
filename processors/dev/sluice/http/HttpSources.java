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
     * One declaration as Sluice runs it: {@code ${KEY:default}} in its URL and credentials expanded by
     * the configuration, scheme, host and port replaced by sluice.http-sources.base-url (when set: a
     * mirror, tests), enabled as sluice.sources.enabled says (when set). Without a dataset it is a
     * download source: prefix, unzip and retention apply to it only.
     */
    public static HttpSource read(JsonNode node, String origin, Config config) {
        String name = text(node, "name", null);
        String where = origin + " (" + name + ")";
        String declaredUrl = text(node, "url", null);
        String dataset = text(node, "dataset", null);
        if (name == null || declaredUrl == null) {
            throw new IllegalArgumentException(where + ": name and url are required");
        }
        String url = Sources.expand(declaredUrl, config);
        if (url.matches("(?is)[a-z][a-z0-9+.-]*://[^/?#]*@.*")) {
            // a URL is logged, shown by the API and kept in the catalog: credentials go under auth (and are not repeated here)
            throw new IllegalArgumentException(where + ": the url carries credentials; declare them under auth: {basic: {username, password}}");
        }
        Optional<String> baseUrl = config.getOptionalValue("sluice.http-sources.base-url", String.class).filter(b -> !b.isBlank());
        if (baseUrl.isPresent()) {
            int path = url.indexOf('/', url.indexOf("//") + 2);
            url = baseUrl.get().replaceAll("/$", "") + (path < 0 ? "" : url.substring(path));
        }
        Periods.Kind period = Periods.Kind.valueOf(text(node, "period", dataset == null ? "latest" : "water_year").toUpperCase(Locale.ROOT));
        List<HttpSource.Schedule> schedules = new java.util.ArrayList<>();
        for (JsonNode schedule : node.path("schedules")) {
            String cron = text(schedule, "cron", "");
            String periods = text(schedule, "periods", "current");
            if (cron.trim().split("\\s+").length != 5 || !List.of("current", "current-and-previous", "stale").contains(periods)) {
                throw new IllegalArgumentException(where + ": a schedule needs a 5-field cron and periods current, current-and-previous or stale");
            }
            schedules.add(new HttpSource.Schedule(cron, periods));
        }
        String prefix = text(node, "prefix", null);
        boolean unzip = node.path("unzip").asBoolean(false);
        String retention = text(node, "retention", null);
        if (dataset != null && (prefix != null || unzip || retention != null)) {
            throw new IllegalArgumentException(where + ": prefix, unzip and retention are for sources without a dataset"
                                               + " (a dataset's files are archived under raw/http/" + name + "/ and kept as the dataset's raw retention says)");
        }
        return new HttpSource(name, text(node, "description", ""), Sources.enabled(node, name, config), url, period, dataset,
                BucketSourceDeclarations.duration(text(node, "rateLimit", "2s")), BucketSourceDeclarations.duration(text(node, "timeout", "60s")),
                node.path("attempts").asInt(6), auth(node.path("auth"), where, config), schedules,
                BucketSourceDeclarations.duration(text(node, "refreshAfter", "30d")), prefix(prefix, where), unzip,
                retention == null ? null : BucketSourceDeclarations.duration(retention));
    }

    /**
     * {@code auth: {basic: {username: "${KAGGLE_USERNAME}", password: "${KAGGLE_KEY}"}}} (expanded by
     * the configuration: environment variables, properties) or {@code auth: {header: X-Api-Key, fromEnv: MY_KEY}}.
     */
    static HttpAuth auth(JsonNode auth, String where, Config config) {
        if (auth.isMissingNode() || auth.isNull()) {
            return HttpAuth.NONE;
        }
        JsonNode basic = auth.path("basic");
        if (!basic.isMissingNode()) {
            return HttpAuth.basic(Sources.expand(text(basic, "username", null), config), Sources.expand(text(basic, "password", null), config));
        }
        String header = text(auth, "header", null);
        String env = text(auth, "fromEnv", null);
        if (header == null || env == null) {
            throw new IllegalArgumentException(where + ": auth is {basic: {username, password}} or {header, fromEnv}");
        }
        return HttpAuth.header(header, env);
    }

    /** A key prefix of our bucket: relative, no "." or ".." segment, ending with '/'. */
    static String prefix(String prefix, String where) {
        if (prefix == null) {
            return null;
        }
        String withSlash = prefix.endsWith("/") ? prefix : prefix + "/";
        for (String segment : withSlash.substring(0, withSlash.length() - 1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.contains("\\")) {
                throw new IllegalArgumentException(where + ": prefix '" + prefix + "' is not a relative key prefix like downloads/kaggle/");
            }
        }
        return withSlash;
    }
}
