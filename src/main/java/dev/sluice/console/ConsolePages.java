package dev.sluice.console;

import dev.sluice.security.ApiSecurity;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * What the Hawtio console asks its server for besides static files and Jolokia (console/README.md
 * lists it): who is logged in (the console user or the reader), the features of a standalone Hawtio server Sluice does not have
 * (proxy, Keycloak, OIDC, preset connections: answered "no"), and its own page paths, which are
 * answered with index.html since it is a single-page app.
 */
final class ConsolePages {

    private ConsolePages() {
    }

    static void register(Router router, String path) {
        router.get(path + "/user").handler(context -> {
            ApiSecurity.User user = context.get(ApiSecurity.USER);
            context.json(user == null ? null : user.name());
        });
        router.get(path + "/auth/logout").handler(context -> context.redirect(path + "/"));
        router.get(path + "/proxy/enabled").handler(context -> context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("false"));
        router.get(path + "/keycloak/enabled").handler(context -> context.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("false"));
        router.getWithRegex(path + "/(auth/config.*|preset-connections)").handler(context -> context.response().setStatusCode(404).end());
        // /hawtio/camel/routes and the like: no file extension, not a file of the build
        router.getWithRegex(path + "/(?!jolokia)[^.]*").order(10_000).handler(context -> {
            if (ConsolePages.class.getClassLoader().getResource("META-INF/resources" + context.normalizedPath()) == null) {
                context.reroute(path + "/index.html");
            } else {
                context.next();
            }
        });
    }
}
