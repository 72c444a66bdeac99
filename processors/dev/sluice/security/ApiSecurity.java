package dev.sluice.security;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may do what over HTTP, for every request before any route (the API, the console and its
 * Jolokia proxy, /q/metrics, /openapi.json): only the health checks (/q/health/…) are open.
 * Everything else wants HTTP Basic credentials (401 with WWW-Authenticate otherwise) of one of two
 * users: the console user (SLUICE_CONSOLE_USER / SLUICE_CONSOLE_PASSWORD) may read and write, the
 * reader (SLUICE_READER_USER / SLUICE_READER_PASSWORD) may only read. Reading is GET and HEAD;
 * anything else is writing (a reader gets 403). Writes must come from Sluice's own origin (a
 * cross-site form or script gets 403) and carry JSON (415 otherwise). Passwords are compared in
 * constant time and never logged.
 *
 * <p>The Jolokia proxy (/hawtio/jolokia) decides the role itself: every Jolokia request is a POST,
 * and which role it needs depends on what it asks Jolokia to do.
 */
@ApplicationScoped
public class ApiSecurity {

    /** RoutingContext key of the authenticated {@link User}. */
    public static final String USER = "sluice.user";
    public static final String CONSOLE_USER = "SLUICE_CONSOLE_USER";
    public static final String CONSOLE_PASSWORD = "SLUICE_CONSOLE_PASSWORD";
    public static final String READER_USER = "SLUICE_READER_USER";
    public static final String READER_PASSWORD = "SLUICE_READER_PASSWORD";
    static final String JOLOKIA_PROXY = "/hawtio/jolokia";
    private static final String CHALLENGE = "Basic realm=\"Sluice\", charset=\"UTF-8\"";
    /** /q/health, /q/health/live, /ready, /started, /group/…: plain names only, no dot segments, no escapes */
    private static final Pattern HEALTH = Pattern.compile("/q/health(/[A-Za-z0-9_-]+)*/?");
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD);
    private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    public enum Role { READ, WRITE }

    /** An authenticated user and what it may do. */
    public record User(String name, Set<Role> roles) {

        public boolean may(Role role) {
            return roles.contains(role);
        }
    }

    @ConfigProperty(name = CONSOLE_USER, defaultValue = "admin")
    String consoleUser;
    @ConfigProperty(name = CONSOLE_PASSWORD)
    Optional<String> consolePassword;
    @ConfigProperty(name = READER_USER, defaultValue = "reader")
    String readerUser;
    @ConfigProperty(name = READER_PASSWORD)
    Optional<String> readerPassword;

    void register(@Observes Filters filters) {
        filters.register(this::filter, 1000);
    }

    void filter(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path;
        try {
            // decoded as the static file handler decodes it: /hawtio%2Findex.html is /hawtio/index.html
            path = URLDecoder.decode(context.normalizedPath().replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            refuse(context, 400, "malformed path");
            return;
        }
        if (HEALTH.matcher(path).matches() && HEALTH.matcher(context.normalizedPath()).matches()) {
            context.next();
            return;
        }
        User user = authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (user == null) {
            context.response().putHeader("WWW-Authenticate", CHALLENGE);
            refuse(context, 401, "Sluice wants credentials (HTTP Basic)");
            return;
        }
        HttpMethod method = request.method();
        if (!READS.contains(method)) {
            if (SameOrigin.crossOrigin(request.getHeader(HttpHeaders.ORIGIN), request.getHeader("Sec-Fetch-Site"),
                    request.getHeader(HttpHeaders.HOST))) {
                refuse(context, 403, "cross-origin " + method.name() + " refused: writes are accepted from Sluice's own pages and from clients that send no Origin");
                return;
            }
            boolean jolokia = isJolokiaProxy(path) && isJolokiaProxy(context.normalizedPath());
            if (!jolokia && !user.may(Role.WRITE)) {
                refuse(context, 403, "user '" + user.name() + "' may only read (GET, HEAD)");
                return;
            }
            if (WITH_BODY.contains(method) && !acceptableBody(request, jolokia)) {
                refuse(context, 415, method.name() + " takes Content-Type application/json");
                return;
            }
        }
        context.put(USER, user);
        context.next();
    }

    /** The user these Basic credentials name, or null. */
    public User authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        // both compared whatever the first answer, in constant time
        boolean console = matches(given, consoleUser, consolePassword);
        boolean reader = matches(given, readerUser, readerPassword);
        if (console) {
            return new User(consoleUser, Set.of(Role.READ, Role.WRITE));
        }
        return reader ? new User(readerUser, Set.of(Role.READ)) : null;
    }

    /** The console user's Basic credentials (what the Jolokia proxy passes on to the agent). */
    public String consoleAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((consoleUser + ":" + consolePassword.orElse(""))
                .getBytes(StandardCharsets.UTF_8));
    }

    static boolean isJolokiaProxy(String path) {
        return path.equals(JOLOKIA_PROXY) || path.startsWith(JOLOKIA_PROXY + "/");
    }

    /**
     * application/json (Hawtio's Jolokia client says text/json, which no HTML form can send either);
     * no Content-Type only for an empty body (POST /purge/runs, POST /sources/{name}/runs).
     */
    private static boolean acceptableBody(HttpServerRequest request, boolean jolokia) {
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null) {
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            return request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null && (length == null || length.trim().equals("0"));
        }
        String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || (jolokia && media.equals("text/json"));
    }

    private static boolean matches(byte[] given, String user, Optional<String> password) {
        if (password.isEmpty() || password.get().isBlank()) {
            // no password configured: nobody logs in as this user
            return false;
        }
        return MessageDigest.isEqual(given, (user + ":" + password.get()).getBytes(StandardCharsets.UTF_8));
    }

    private static void refuse(RoutingContext context, int status, String message) {
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("status", status).put("message", message).encode());
    }
}
