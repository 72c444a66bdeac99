package dev.sluice.console;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The Hawtio console at /hawtio: the static build under META-INF/resources/hawtio (see console/),
 * behind HTTP Basic authentication, and /hawtio/jolokia proxied to the Jolokia agent, which
 * listens on 127.0.0.1 only and checks the same credentials again.
 */
@ApplicationScoped
public class HawtioConsole {

    static final String PATH = "/hawtio";
    static final String METRICS = "/q/metrics";
    private static final String REALM = "Basic realm=\"Sluice console\", charset=\"UTF-8\"";

    @ConfigProperty(name = ConsoleCredentials.USER, defaultValue = "admin")
    String user;
    @ConfigProperty(name = ConsoleCredentials.PASSWORD)
    String password;
    @ConfigProperty(name = "quarkus.camel.jolokia.server.port")
    int jolokiaPort;
    @Inject
    Vertx vertx;

    private HttpClient jolokia;

    /**
     * Runs before every route: nothing under /hawtio, and not /q/metrics (what Sluice is doing and
     * holding is nobody else's business), is served without the console credentials.
     */
    void authenticate(@Observes Filters filters) {
        filters.register(context -> {
            String path;
            try {
                // decoded as the static file handler decodes it: /hawtio%2Findex.html is /hawtio/index.html
                path = java.net.URLDecoder.decode(context.normalizedPath().replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                context.response().setStatusCode(400).end();
                return;
            }
            if (!path.equals(PATH) && !path.startsWith(PATH + "/") && !path.startsWith(METRICS)) {
                context.next();
            } else if (authorized(context.request().getHeader(HttpHeaders.AUTHORIZATION))) {
                context.next();
            } else {
                context.response().setStatusCode(401).putHeader("WWW-Authenticate", REALM)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("The Sluice console needs its credentials\n");
            }
        }, 1000);
    }

    void routes(@Observes Router router) {
        jolokia = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(jolokiaPort));
        router.routeWithRegex("^" + PATH + "$").handler(context -> context.redirect(PATH + "/"));
        router.route(PATH + "/jolokia*").handler(BodyHandler.create().setBodyLimit(1 << 20)).handler(this::proxyToJolokia);
        ConsolePages.register(router, PATH, user);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }

    /** /hawtio/jolokia/… → http://127.0.0.1:&lt;jolokia port&gt;/jolokia/…, credentials passed on. */
    private void proxyToJolokia(RoutingContext context) {
        // only ever Jolokia's own path on the agent, whatever the request line looked like
        String rest = context.normalizedPath().substring((PATH + "/jolokia").length());
        String query = context.request().query();
        String uri = "/jolokia/" + (rest.startsWith("/") ? rest.substring(1) : rest) + (query == null ? "" : "?" + query);
        RequestOptions options = new RequestOptions().setMethod(context.request().method()).setURI(uri);
        MultiMap headers = context.request().headers();
        for (String name : new String[]{"Authorization", "Content-Type", "Accept"}) {
            if (headers.get(name) != null) {
                options.putHeader(name, headers.get(name));
            }
        }
        Buffer body = context.body().buffer() == null ? Buffer.buffer() : context.body().buffer();
        jolokia.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().onSuccess(answer -> {
                    context.response().setStatusCode(response.statusCode());
                    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (type != null) {
                        context.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
                    }
                }))
                .onSuccess(answer -> context.response().end(answer))
                .onFailure(e -> context.response().setStatusCode(502).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
                        .end("Jolokia is not reachable: " + e.getMessage() + "\n"));
    }
}
