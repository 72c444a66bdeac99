package dev.sluice.bucket;

import dev.sluice.sources.Source;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An upstream bucket Sluice polls (type: bucket), as declared in one YAML file (see src/main/resources/sources/).
 *
 * @param name              source name: route id suffix, storage key prefix, ledger and catalog source
 * @param bucket            upstream bucket
 * @param region            upstream region
 * @param anonymous         public bucket, requests unsigned
 * @param endpoint          endpoint override (MinIO, a mirror, tests), or null for AWS
 * @param schedule          cron (minute hour day month weekday; seconds are always 0)
 * @param period            the time unit key templates are expanded for (a model cycle, an hour, a day)
 * @param availabilityDelay how long after a period starts its files can be expected
 * @param lookBack          how many past periods a poll looks at again
 * @param keys              key templates
 * @param forecastHours     forecast hours for {fff}/{ff}
 * @param bands             values for {band}
 * @param products          values for {product}
 * @param include           a key must match one of these (if any)
 * @param exclude           a key must match none of these
 * @param parameters        GRIB "VAR:level" messages to keep (via the .idx sidecar); empty = whole files
 * @param retention         how long stored objects are kept (null = forever)
 */
public record BucketSource(String name, String description, boolean enabled, String bucket, String region,
                           boolean anonymous, String endpoint, String schedule, Duration period,
                           Duration availabilityDelay, Duration lookBack, List<KeyTemplate> keys,
                           List<Integer> forecastHours, List<String> bands, List<String> products,
                           List<Pattern> include, List<Pattern> exclude, List<String> parameters, Duration retention)
        implements Source {

    @Override
    public List<String> crons() {
        return List.of(schedule);
    }

    /** Its objects are kept under &lt;source&gt;/ in our bucket. */
    @Override
    public String storagePrefix() {
        return name + "/";
    }

    /** Start of the period containing {@code instant} (periods are aligned to midnight UTC). */
    public ZonedDateTime periodOf(Instant instant) {
        long size = period.toSeconds();
        long start = Math.floorDiv(instant.getEpochSecond(), size) * size;
        return Instant.ofEpochSecond(start).atZone(ZoneOffset.UTC);
    }

    /** The periods a poll at {@code now} looks at: available ones within the look-back window, oldest first. */
    public List<ZonedDateTime> periodsDue(Instant now) {
        Instant latest = now.minus(availabilityDelay);
        return periodsBetween(periodOf(latest.minus(lookBack)), periodOf(latest));
    }

    public List<ZonedDateTime> periodsBetween(ZonedDateTime first, ZonedDateTime last) {
        List<ZonedDateTime> periods = new ArrayList<>();
        for (ZonedDateTime p = periodOf(first.toInstant()); !p.isAfter(last); p = p.plus(period)) {
            periods.add(p);
        }
        return periods;
    }

    /** Every combination of the enumerated variables a template uses. */
    public List<Map<String, String>> enumerations(KeyTemplate template) {
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        combos = multiply(combos, template, "product", products);
        combos = multiply(combos, template, "band", bands);
        combos = multiply(combos, template, "fff", forecastHours.stream().map(h -> "%03d".formatted(h)).toList());
        combos = multiply(combos, template, "ff", forecastHours.stream().map(h -> "%02d".formatted(h)).toList());
        return combos;
    }

    private static List<Map<String, String>> multiply(List<Map<String, String>> combos, KeyTemplate template,
                                                      String variable, List<String> values) {
        if (!template.uses(variable) || values.isEmpty()) {
            return combos;
        }
        List<Map<String, String>> result = new ArrayList<>();
        for (Map<String, String> combo : combos) {
            for (String value : values) {
                Map<String, String> next = new LinkedHashMap<>(combo);
                next.put(variable, value);
                result.add(next);
            }
        }
        return result;
    }

    public boolean wanted(String key) {
        return (include.isEmpty() || include.stream().anyMatch(p -> p.matcher(key).find()))
               && exclude.stream().noneMatch(p -> p.matcher(key).find());
    }
}
