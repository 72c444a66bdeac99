package dev.sluice.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How an HTTP source proves who it is: nothing, HTTP basic auth (a username and a key, as the
 * Kaggle API wants) or one header whose value comes from an environment variable. The secret lives
 * only here and in the request the fetcher sends: toString() names the kind and nothing else, so a
 * declaration that ends up in a log or an exception message shows no credential.
 */
public final class HttpAuth {

    public static final HttpAuth NONE = new HttpAuth("none", Map::of);

    private final String kind;
    private final Supplier<Map<String, String>> headers;

    private HttpAuth(String kind, Supplier<Map<String, String>> headers) {
        this.kind = kind;
        this.headers = headers;
    }

    /**
     * {@code Authorization: Basic base64(username:password)}; with neither given (the variables they
     * come from are unset) no header is sent, and the upstream's 401 says why the fetch failed.
     */
    public static HttpAuth basic(String username, String password) {
        String user = username == null ? "" : username;
        String key = password == null ? "" : password;
        if (user.isEmpty() && key.isEmpty()) {
            return new HttpAuth("basic (no credentials set)", Map::of);
        }
        String value = "Basic " + Base64.getEncoder().encodeToString((user + ":" + key).getBytes(StandardCharsets.UTF_8));
        return new HttpAuth("basic", () -> Map.of("Authorization", value));
    }

    /** A header (e.g. X-Api-Key) whose value is the environment variable {@code env}, read at each request. */
    public static HttpAuth header(String name, String env) {
        return new HttpAuth("header " + name, () -> {
            String value = System.getenv(env);
            return value == null ? Map.of() : Map.of(name, value);
        });
    }

    /** The headers to send with each request; never to be logged. */
    public Map<String, String> headers() {
        return headers.get();
    }

    @Override
    public String toString() {
        return "HttpAuth[" + kind + "]";
    }
}
