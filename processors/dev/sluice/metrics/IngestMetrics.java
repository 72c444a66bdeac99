package dev.sluice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice's metrics, exported on /q/metrics as ingestion_runs_total{source,status},
 * files_ingested_total{source}, bytes_ingested_total{source}, ingestion_duration_seconds{source},
 * ingestion_last_success_timestamp_seconds{source}, purge_runs_total{source,outcome},
 * purge_files_deleted_total{source}, purge_bytes_freed_total{source}, purge_failures_total{source}
 * and purge_duration_seconds{source}.
 */
@ApplicationScoped
public class IngestMetrics {

    @Inject
    MeterRegistry registry;

    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public void run(String source, String status, Duration duration) {
        Counter.builder("ingestion.runs").tag("source", source).tag("status", status).register(registry).increment();
        Timer.builder("ingestion.duration").tag("source", source).register(registry).record(duration);
        if ("success".equals(status)) {
            lastSuccess.computeIfAbsent(source, s -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder("ingestion.last.success.timestamp", value, AtomicLong::get)
                        .baseUnit("seconds").tag("source", s).register(registry);
                return value;
            }).set(System.currentTimeMillis() / 1000);
        }
    }

    public void file(String source, long bytes) {
        Counter.builder("files.ingested").tag("source", source).register(registry).increment();
        Counter.builder("bytes.ingested").tag("source", source).register(registry).increment(bytes);
    }

    public void purged(String source, long files, long bytes, long failed, String outcome, Duration duration) {
        Counter.builder("purge.runs").tag("source", source).tag("outcome", outcome).register(registry).increment();
        Counter.builder("purge.files.deleted").tag("source", source).register(registry).increment(files);
        Counter.builder("purge.bytes.freed").tag("source", source).register(registry).increment(bytes);
        Counter.builder("purge.failures").tag("source", source).register(registry).increment(failed);
        Timer.builder("purge.duration").tag("source", source).register(registry).record(duration);
    }
}
