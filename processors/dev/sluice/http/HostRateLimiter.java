package dev.sluice.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * At most one request per host per interval, across every caller (all routes, all retries) that
 * shares this limiter: each request reserves the next free slot of its host and waits for it.
 * Slots are a little wider than the interval (25 ms), and the next slot is never earlier than one
 * interval after the previous request was answered: a request that was slow to reach the server
 * (a new connection, a busy machine) must not leave the next one arriving early.
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

    /**
     * The host answered (or the request failed) now: whenever the request reached it, the next one
     * comes at least an interval later ({@code intervalMillis} &lt; 0: this limiter's own).
     */
    public void answered(String host, long intervalMillis) {
        long interval = intervalMillis < 0 ? intervalNanos
                : intervalMillis == 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(intervalMillis + MARGIN_MILLIS);
        synchronized (nextSlot) {
            long earliest = System.nanoTime() + interval;
            nextSlot.merge(host, earliest, Math::max);
            lastSlot.merge(host, System.nanoTime(), Math::max);
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
