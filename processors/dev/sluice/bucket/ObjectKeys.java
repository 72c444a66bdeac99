package dev.sluice.bucket;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;

/**
 * Our canonical storage keys and what the catalog records about an upstream key.
 *
 * <p>Layout: {@code <source>/<yyyy>/<mm>/<dd>/<HH>/<upstream file name>}, the time being the model
 * cycle (GFS, HRRR) or the scan/observation time (GOES, MRMS) read from the key. A GRIB subset is
 * stored as one object per parameter beneath it: {@code …/<file>/<VAR>_<level>.grib2}.
 */
public final class ObjectKeys {

    private ObjectKeys() {
    }

    /** What a key tells: its reference time, forecast hour, parameter (band/product) and our storage key. */
    public record Described(String source, String storageKey, Instant referenceTime, Integer forecastHour, String parameter) {

        public CatalogEntry entry(String parameter, String level, String storageKey, long bytes, String upstreamBucket,
                                  String upstreamKey, String upstreamEtag, long runId) {
            Instant valid = referenceTime == null ? null
                    : forecastHour == null ? referenceTime : referenceTime.plusSeconds(forecastHour * 3600L);
            return new CatalogEntry(source, parameter, level, referenceTime, forecastHour, valid, storageKey, bytes,
                    upstreamBucket, upstreamKey, upstreamEtag, runId);
        }
    }

    public static Described describe(BucketSource source, String key) {
        Map<String, String> values = null;
        for (KeyTemplate template : source.keys()) {
            values = template.parse(key);
            if (values != null) {
                break;
            }
        }
        Instant reference = values == null ? null : referenceTime(values);
        Integer forecastHour = values == null ? null
                : values.containsKey("fff") ? Integer.valueOf(values.get("fff"))
                : values.containsKey("ff") ? Integer.valueOf(values.get("ff")) : null;
        String parameter = values == null ? null : values.containsKey("band") ? "C" + values.get("band") : values.get("product");
        String file = key.substring(key.lastIndexOf('/') + 1);
        String storageKey = reference == null
                ? source.name() + "/unknown-time/" + file
                : "%s/%s/%s".formatted(source.name(),
                        java.time.format.DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").format(reference.atZone(ZoneOffset.UTC)), file);
        return new Described(source.name(), storageKey, reference, forecastHour, parameter);
    }

    static Instant referenceTime(Map<String, String> v) {
        if (!v.containsKey("yyyy")) {
            return null;
        }
        int year = Integer.parseInt(v.get("yyyy"));
        LocalDate date = v.containsKey("ddd") ? LocalDate.ofYearDay(year, Integer.parseInt(v.get("ddd")))
                : LocalDate.of(year, Integer.parseInt(v.getOrDefault("mm", "1")), Integer.parseInt(v.getOrDefault("dd", "1")));
        LocalDateTime time = date.atTime(Integer.parseInt(v.getOrDefault("HH", "0")), Integer.parseInt(v.getOrDefault("MM", "0")),
                Integer.parseInt(v.getOrDefault("SS", "0")));
        return time.toInstant(ZoneOffset.UTC);
    }

    /** "TMP:2 m above ground" → "TMP_2_m_above_ground". */
    public static String slug(String parameter) {
        String slug = parameter.replaceAll("[^A-Za-z0-9.-]+", "_").replaceAll("^_+|_+$", "");
        return slug.isEmpty() ? "parameter" : slug;
    }
}
