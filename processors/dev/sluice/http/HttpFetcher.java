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
import java.util.concurrent.ThreadLocalRandom;

/**
 * Conditional GETs with retries, politely: every request (retries included) waits for its host's
 * rate-limit slot; 5xx, timeouts and connection resets are retried with exponential backoff and
 * jitter; 429 and 503 wait as long as their Retry-After says; 404 means "not available (yet)" and is
 * not retried; a 304 costs nothing but the request. Bodies stream to a file, hashed on the way.
 */
public final class HttpFetcher {

    private final HttpClient client;
    private final HostRateLimiter limiter;
    private final Duration timeout;
    private final int maxAttempts;
    private final long backoffMillis;
    private final long intervalMillis;

    public HttpFetcher(HostRateLimiter limiter, Duration timeout, int maxAttempts, long backoffMillis) {
        this(limiter, -1, timeout, maxAttempts, backoffMillis);
    }

    /** @param intervalMillis this caller's least distance between requests to a host (-1: the limiter's own) */
    public HttpFetcher(HostRateLimiter limiter, long intervalMillis, Duration timeout, int maxAttempts, long backoffMillis) {
        this.intervalMillis = intervalMillis;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.limiter = limiter;
        this.timeout = timeout;
        this.maxAttempts = maxAttempts;
        this.backoffMillis = backoffMillis;
    }

    /**
     * @param etag         validator from the last fetch, or null
     * @param lastModified validator from the last fetch, or null
     * @param headers      extra headers (an Authorization header from a secret, say); never logged
     * @param target       where the body goes
     */
    public FetchResult fetch(URI uri, String etag, String lastModified, Map<String, String> headers, Path target)
            throws InterruptedException {
        String lastError = null;
        int status = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
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
            long wait;
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
                        return stored(response, body, target, attempt);
                    }
                    body.transferTo(OutputStream.nullOutputStream());
                }
                if (status == 304) {
                    return new FetchResult(FetchResult.Outcome.NOT_MODIFIED, 304, etag, lastModified, null, 0, null, attempt, null);
                }
                if (status == 404 || status == 410) {
                    return new FetchResult(FetchResult.Outcome.NOT_AVAILABLE, status, null, null, null, 0, null, attempt, null);
                }
                lastError = "HTTP " + status;
                if (status != 429 && status < 500) {
                    break;
                }
                Long retryAfter = (status == 429 || status == 503) ? retryAfterMillis(response) : null;
                if (retryAfter != null) {
                    limiter.backOff(uri.getHost(), retryAfter);
                    wait = 0;
                } else {
                    wait = backoff(attempt);
                }
            } catch (HttpTimeoutException e) {
                lastError = "timed out after " + timeout.toMillis() + " ms";
                wait = backoff(attempt);
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                wait = backoff(attempt);
            }
            if (attempt < maxAttempts && wait > 0) {
                Thread.sleep(wait);
            }
        }
        return new FetchResult(FetchResult.Outcome.FAILED, status, null, null, null, 0, null, maxAttempts, lastError);
    }

    private FetchResult stored(HttpResponse<InputStream> response, InputStream body, Path target, int attempt) throws IOException {
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
                HexFormat.of().formatHex(sha.digest()), attempt, null);
    }

    private long backoff(int attempt) {
        long delay = backoffMillis * (1L << Math.min(attempt - 1, 10));
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
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
