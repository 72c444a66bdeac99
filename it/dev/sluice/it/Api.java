package dev.sluice.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the process-level tests ask a running Sluice: its HTTP API and its database. */
final class Api {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** HTTP port of a started Sluice → where its console user's credentials are */
    private static final Map<Integer, Supplier<String>> CREDENTIALS = new ConcurrentHashMap<>();

    private Api() {
    }

    /**
     * The API of the Sluice on this port is called as its console user: the one its environment
     * names, else the one it generated into its data directory (console-credentials: user, password).
     */
    static void credentials(int httpPort, Path dataDirectory, Map<String, String> environment) {
        String password = environment.get("SLUICE_CONSOLE_PASSWORD");
        CREDENTIALS.put(httpPort, () -> {
            if (password != null && !password.isBlank()) {
                return basic(environment.getOrDefault("SLUICE_CONSOLE_USER", "admin"), password);
            }
            try {
                String[] lines = Files.readString(dataDirectory.resolve("console-credentials")).strip().split("\n");
                return basic(lines[0].strip(), lines[1].strip());
            } catch (IOException e) {
                throw new UncheckedIOException("no console credentials in " + dataDirectory + " (has Sluice started?)", e);
            }
        });
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String post(String url, String json) throws Exception {
        return HTTP.send(authorized(url).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String get(String url) throws Exception {
        return HTTP.send(authorized(url).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest.Builder authorized(String url) {
        URI uri = URI.create(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        Supplier<String> credentials = CREDENTIALS.get(uri.getPort());
        return credentials == null ? request : request.header("Authorization", credentials.get());
    }

    /** A top-level scalar of a flat JSON object. */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^,\"}]*)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(name + " not in " + json);
        }
        return m.group(1);
    }

    static long count(String jdbcUrl, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
