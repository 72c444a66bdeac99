package dev.sluice.console;

import dev.sluice.security.ApiSecurity;
import dev.sluice.security.SameOrigin;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;

/**
 * The Hawtio console at /hawtio: the static build under META-INF/resources/hawtio (see console/),
 * behind the credentials every Sluice endpoint wants (ApiSecurity), and /hawtio/jolokia proxied to
 * the Jolokia agent, which listens on 127.0.0.1 only. The proxy reads each Jolokia request (single
 * or bulk) before it forwards it: what JolokiaPolicy denies, a request from another origin, an
 * operation over GET, and a reader's route start/stop are refused with 403; what it forwards is the
 * request as it was checked, with the Origin, under the console user's credentials. The agent's
 * own restrictor (JolokiaRestrictor) checks the same again.
 */
@ApplicationScoped
public class HawtioConsole {

    static final String PATH = "/hawtio";

    @ConfigProperty(name = "quarkus.camel.jolokia.server.port")
    int jolokiaPort;
    @Inject
    Vertx vertx;
    @Inject
    ApiSecurity security;

    private HttpClient jolokia;

    void routes(@Observes Router router) {
        jolokia = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(jolokiaPort));
        router.routeWithRegex("^" + PATH + "$").handler(context -> context.redirect(PATH + "/"));
        router.route(PATH + "/jolokia*").handler(BodyHandler.create().setBodyLimit(1 << 20)).handler(this::proxyToJolokia);
        ConsolePages.register(router, PATH);
    }

    /** /hawtio/jolokia/… → http://127.0.0.1:&lt;jolokia port&gt;/jolokia/…, once the request is found allowed. */
    private void proxyToJolokia(RoutingContext context) {
        ApiSecurity.User user = context.get(ApiSecurity.USER);
        HttpServerRequest request = context.request();
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (user == null) {
            refuse(context, 401, "Sluice wants credentials (HTTP Basic)");
            return;
        }
        if (SameOrigin.crossOrigin(origin, request.getHeader("Sec-Fetch-Site"), request.getHeader(HttpHeaders.HOST))) {
            refuse(context, 403, "Jolokia is not served to other origins");
            return;
        }
        // only ever Jolokia's own path on the agent, whatever the request line looked like
        String rest = context.normalizedPath().substring((PATH + "/jolokia").length());
        String query = request.query();
        String uri = "/jolokia/" + (rest.startsWith("/") ? rest.substring(1) : rest) + (query == null ? "" : "?" + query);
        JolokiaPolicy.Verdict verdict;
        Buffer body = Buffer.buffer();
        if (request.method() == HttpMethod.GET) {
            verdict = JolokiaPolicy.get(rest, context.queryParam("p"));
        } else if (request.method() == HttpMethod.POST) {
            byte[] given = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
            verdict = !context.queryParam("p").isEmpty()
                    ? new JolokiaPolicy.Verdict(JolokiaPolicy.Access.DENIED, "a POST carries its request in the body, not in ?p=")
                    : JolokiaPolicy.post(given);
            if (verdict.access() != JolokiaPolicy.Access.DENIED) {
                try {
                    body = Buffer.buffer(JolokiaPolicy.canonical(given));
                } catch (IOException e) {
                    verdict = new JolokiaPolicy.Verdict(JolokiaPolicy.Access.DENIED, "the body is not JSON");
                }
            }
        } else {
            refuse(context, 405, "Jolokia takes GET (reads) and POST");
            return;
        }
        if (verdict.access() == JolokiaPolicy.Access.DENIED) {
            refuse(context, 403, "Jolokia request refused: " + verdict.reason());
            return;
        }
        if (verdict.access() == JolokiaPolicy.Access.WRITE && !user.may(ApiSecurity.Role.WRITE)) {
            refuse(context, 403, "user '" + user.name() + "' may only read; " + verdict.reason() + " changes a route");
            return;
        }
        RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(uri);
        options.putHeader(HttpHeaders.AUTHORIZATION, security.consoleAuthorization());
        if (request.method() == HttpMethod.POST) {
            options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        MultiMap headers = request.headers();
        if (headers.get(HttpHeaders.ACCEPT) != null) {
            options.putHeader(HttpHeaders.ACCEPT, headers.get(HttpHeaders.ACCEPT));
        }
        if (origin != null) {
            // the agent checks the origin strictly: it serves the ones found here to be Sluice's own
            JolokiaRestrictor.trustOrigin(origin);
            options.putHeader(HttpHeaders.ORIGIN, origin);
        }
        Buffer forwarded = body;
        boolean dumpsRoutes = body.toString().contains(TemplatedRouteCounters.OPERATION);
        jolokia.request(options)
                .compose(proxied -> proxied.send(forwarded))
                .compose(response -> response.body().onSuccess(answer -> {
                    context.response().setStatusCode(response.statusCode());
                    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
                    if (type != null) {
                        context.response().putHeader(HttpHeaders.CONTENT_TYPE, type);
                    }
                }))
                .onSuccess(answer -> context.response().end(dumpsRoutes ? TemplatedRouteCounters.inAnswer(answer) : answer))
                .onFailure(e -> refuse(context, 502, "Jolokia is not reachable: " + e.getMessage()));
    }

    private static void refuse(RoutingContext context, int status, String message) {
        context.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("status", status).put("message", message).encode());
    }
}
