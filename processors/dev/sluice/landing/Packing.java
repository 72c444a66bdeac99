package dev.sluice.landing;

import java.util.Locale;

/**
 * How a landed file holds its content, told by its name: as itself, gzip-compressed ({@code .gz}: its
 * content is the file named without the .gz), or as the members of a {@code .zip}. The dataset and
 * the format come from the inner name, never from the .gz/.zip name.
 */
public enum Packing {
    PLAIN, GZIP, ZIP;

    public static Packing of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".gz") && lower.length() > 3 ? GZIP : lower.endsWith(".zip") ? ZIP : PLAIN;
    }

    /** The name the content goes by: rain-2024.csv.gz → rain-2024.csv; any other name as it is. */
    public static String innerName(String name) {
        return of(name) == GZIP ? name.substring(0, name.length() - 3) : name;
    }
}
