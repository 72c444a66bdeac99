package dev.sluice.landing;

import java.time.LocalDate;

/** Canonical bucket keys for archived originals: {@code raw/<dataset>/<yyyy>/<mm>/<dd>/<name>}. */
public final class ArchiveKeys {

    private ArchiveKeys() {
    }

    public static String of(String dataset, LocalDate day, String fileName) {
        return "raw/%s/%04d/%02d/%02d/%s".formatted(dataset, day.getYear(), day.getMonthValue(), day.getDayOfMonth(), fileName);
    }

    /** The key for a second, different file of the same name on the same day: the content hash tells them apart. */
    public static String disambiguated(String key, String sha256) {
        int slash = key.lastIndexOf('/');
        int dot = key.lastIndexOf('.');
        String tag = "." + sha256.substring(0, 12);
        return dot > slash ? key.substring(0, dot) + tag + key.substring(dot) : key + tag;
    }
}
