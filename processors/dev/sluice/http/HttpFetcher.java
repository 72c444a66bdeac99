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
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
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
                return new FetchResult(FetchResult.Outcome.NOT_MODIFIED, 304, etag, lastModified, null, 0, null, 1, null);
            }
            if (status == 404 || status == 410) {
                return new FetchResult(FetchResult.Outcome.NOT_AVAILABLE, status, null, null, null, 0, null, 1, null);
            }
            if (status != 429 && status < 500) {
                return new FetchResult(FetchResult.Outcome.FAILED, status, null, null, null, 0, null, 1, "HTTP " + status);
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
                HexFormat.of().formatHex(sha.digest()), 1, null);
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
