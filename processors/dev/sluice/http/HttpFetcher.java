package dev.sluice.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;

/**
 * One conditional GET, politely: it waits for its host's rate-limit slot (so does every retry, since
 * a retry is another call); a 304 costs nothing but the request; 404 and 410 mean "not available
 * (yet)"; 5xx, 429, timeouts and connection resets are {@link RetryableFetchException}s for the
 * route's redelivery, and a 429 or 503 with Retry-After first pushes the host's next slot out by as
 * long as it says. The body streams to a file, hashed on the way, never held in memory.
 */
public final class HttpFetcher {

    private final HttpClient client;
    /** for requests that carry credentials: redirects followed here, see {@link #send} */
    private final HttpClient credentialed;
    private final HostRateLimiter limiter;
    private final Duration timeout;
    private final long intervalMillis;

    public HttpFetcher(HostRateLimiter limiter, Duration timeout) {
        this(limiter, -1, timeout);
    }

    /** @param intervalMillis this caller's least distance between requests to a host (-1: the limiter's own) */
    public HttpFetcher(HostRateLimiter limiter, long intervalMillis, Duration timeout) {
        this.intervalMillis = intervalMillis;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.credentialed = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.limiter = limiter;
        this.timeout = timeout;
    }

    /**
     * @param etag         validator from the last fetch, or null
     * @param lastModified validator from the last fetch, or null
     * @param headers      extra headers (an Authorization header from a secret, say); never logged
     * @param target       where the body goes
     * @return FETCHED, NOT_MODIFIED, NOT_AVAILABLE, or FAILED for an answer no retry would change (401, 403...)
     */
    public FetchResult fetch(URI uri, String etag, String lastModified, Map<String, String> headers, Path target)
            throws InterruptedException, RetryableFetchException {
        if (intervalMillis < 0) {
            limiter.acquire(uri.getHost());
        } else {
            limiter.acquire(uri.getHost(), intervalMillis);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        if (lastModified != null) {
            request.header("If-Modified-Since", lastModified);
        }
        headers.forEach(request::header);
        int status;
        try {
            HttpResponse<InputStream> response;
            try {
                response = send(request.build(), headers);
            } finally {
                limiter.answered(uri.getHost(), intervalMillis);
            }
            status = response.statusCode();
            try (InputStream body = response.body()) {
                if (status == 200) {
                    return stored(response, body, target);
                }
                body.transferTo(OutputStream.nullOutputStream());
            }
            if (status == 304) {
                return new FetchResult(FetchResult.Outcome.NOT_MODIFIED, 304, etag, lastModified, null, 0, null, 1, null, null);
            }
            if (status == 404 || status == 410) {
                return new FetchResult(FetchResult.Outcome.NOT_AVAILABLE, status, null, null, null, 0, null, 1, null, null);
            }
            if (status != 429 && status < 500) {
                return new FetchResult(FetchResult.Outcome.FAILED, status, null, null, null, 0, null, 1, "HTTP " + status, null);
            }
            Long retryAfter = (status == 429 || status == 503) ? retryAfterMillis(response) : null;
            if (retryAfter != null) {
                limiter.backOff(uri.getHost(), retryAfter);
            }
        } catch (HttpTimeoutException e) {
            throw new RetryableFetchException(0, "timed out after " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new RetryableFetchException(0, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        throw new RetryableFetchException(status, "HTTP " + status);
    }

    /**
     * The request, redirects followed (at most 5). With credentials (extra headers) they are followed
     * here, not by the client: the credentials go along only while the redirect stays on the same
     * scheme, host and port — the Kaggle API answers with a redirect to a signed storage URL, which
     * must neither see the key nor get an Authorization header it would refuse.
     */
    private HttpResponse<InputStream> send(HttpRequest request, Map<String, String> credentials) throws IOException, InterruptedException {
        if (credentials.isEmpty()) {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        }
        HttpResponse<InputStream> response = credentialed.send(request, HttpResponse.BodyHandlers.ofInputStream());
        for (int hops = 0; hops < 5 && REDIRECTS.contains(response.statusCode()); hops++) {
            String location = response.headers().firstValue("Location").orElse(null);
            if (location == null) {
                break;
            }
            URI next = response.uri().resolve(location);
            response.body().close();
            HttpRequest.Builder again = HttpRequest.newBuilder(next).timeout(timeout).GET();
            request.headers().map().forEach((name, values) -> {
                boolean credential = credentials.keySet().stream().anyMatch(name::equalsIgnoreCase);
                if (!credential || sameOrigin(request.uri(), next)) {
                    values.forEach(value -> again.header(name, value));
                }
            });
            response = credentialed.send(again.build(), HttpResponse.BodyHandlers.ofInputStream());
        }
        return response;
    }

    private static final java.util.Set<Integer> REDIRECTS = java.util.Set.of(301, 302, 303, 307, 308);

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private FetchResult stored(HttpResponse<InputStream> response, InputStream body, Path target) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target)) {
            int read;
            while ((read = body.read(buffer)) > 0) {
                sha.update(buffer, 0, read);
                out.write(buffer, 0, read);
                bytes += read;
            }
        }
        return new FetchResult(FetchResult.Outcome.FETCHED, 200, response.headers().firstValue("ETag").orElse(null),
                response.headers().firstValue("Last-Modified").orElse(null), target, bytes,
                HexFormat.of().formatHex(sha.digest()), 1, null,
                response.headers().firstValue("Content-Disposition").map(HttpFetcher::dispositionFileName).orElse(null));
    }

    private static final java.util.regex.Pattern FILENAME = java.util.regex.Pattern.compile(
            "(?i)filename\\*?\\s*=\\s*(?:UTF-8'[^']*')?\"?([^\";]+)\"?");

    /** {@code attachment; filename="x.zip"} (or filename*=UTF-8''x.zip): the name, percent-decoded; null without one. */
    static String dispositionFileName(String disposition) {
        String name = null;
        java.util.regex.Matcher m = FILENAME.matcher(disposition);
        while (m.find()) {
            name = m.group(1).strip(); // a filename* after filename wins
        }
        if (name == null || name.isEmpty()) {
            return null;
        }
        try {
            return java.net.URLDecoder.decode(name.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return name;
        }
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
    static Long retryAfterMillis(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(value.strip()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                return Math.max(0, Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)).toMillis());
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
