package dev.sluice.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * At most one request per host per interval, across every caller (all routes, all retries) that
 * shares this limiter: each request reserves the next free slot of its host and waits for it.
 * Slots are a little wider than the interval (25 ms): a request whose connection is quicker to set up
 * than the one before it must still not arrive early at the server.
 */
public final class HostRateLimiter {

    private static final long MARGIN_MILLIS = 25;

    private final long intervalNanos;
    private final Map<String, Long> nextSlot = new HashMap<>();
    private final Map<String, Long> lastSlot = new HashMap<>();

    public HostRateLimiter(long intervalMillis) {
        this.intervalNanos = intervalMillis == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(intervalMillis + MARGIN_MILLIS);
    }

    /** Blocks until this request may go to {@code host}. */
    public void acquire(String host) throws InterruptedException {
        acquireNanos(host, intervalNanos);
    }

    /**
     * As {@link #acquire(String)} with this caller's own interval: callers with different limits for
     * one host share its slots, each keeping at least its own distance from the request before.
     */
    public void acquire(String host, long intervalMillis) throws InterruptedException {
        acquireNanos(host, intervalMillis == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(intervalMillis + MARGIN_MILLIS));
    }

    private void acquireNanos(String host, long interval) throws InterruptedException {
        long slot;
        synchronized (nextSlot) {
            long now = System.nanoTime();
            Long last = lastSlot.get(host);
            slot = Math.max(Math.max(now, nextSlot.getOrDefault(host, now)), last == null ? now : last + interval);
            lastSlot.put(host, slot);
            nextSlot.put(host, Math.max(nextSlot.getOrDefault(host, slot), slot + interval));
        }
        long wait = slot - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** Pushes the host's next slot out, e.g. when it answered 429/503 with Retry-After. */
    public void backOff(String host, long millis) {
        synchronized (nextSlot) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            nextSlot.merge(host, until, Math::max);
        }
    }
}
