package dev.sluice.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * How far compressed content may inflate, wherever Sluice inflates it: a landed .gz or .zip (streamed
 * into its dataset's table) and a downloaded zip whose members are stored ({@code unzip: true}). One
 * set of caps, the {@code sluice.inflation.*} settings: what one member may inflate to, all members of
 * one archive together, how many times its compressed size one member may inflate to (text compresses
 * 5–20×, a bomb of zeros about 1000×; not applied below {@link #RATIO_FLOOR_BYTES}, where a small file
 * of repeated lines may well compress better and costs nothing), and how many members a zip may hold.
 * Content is streamed either way, so memory is never the issue: the caps stop a zip bomb from filling
 * a disk or the database, or keeping a route busy for hours.
 *
 * <p>Two ways to hold content to them: {@link #refusal(ZipFile)} reads what a zip's central directory
 * declares, before anything is extracted; {@link #budget(String)} counts what is actually inflated,
 * read by read (a .gz declares nothing, and a member may inflate past what it declares).
 */
@ApplicationScoped
public class InflationLimits {

    static final String MAX_MEMBER_BYTES = "sluice.inflation.max-member-bytes";
    static final String MAX_TOTAL_BYTES = "sluice.inflation.max-total-bytes";
    static final String MAX_RATIO = "sluice.inflation.max-ratio";
    static final String MAX_MEMBERS = "sluice.inflation.max-members";
    /** Below this many inflated bytes the ratio is not looked at. */
    static final long RATIO_FLOOR_BYTES = 1 << 20;

    @ConfigProperty(name = MAX_MEMBER_BYTES, defaultValue = "8589934592")
    long maxMemberBytes;
    @ConfigProperty(name = MAX_TOTAL_BYTES, defaultValue = "34359738368")
    long maxTotalBytes;
    @ConfigProperty(name = MAX_RATIO, defaultValue = "200")
    int maxRatio;
    @ConfigProperty(name = MAX_MEMBERS, defaultValue = "10000")
    int maxMembers;

    public InflationLimits() {
    }

    /** Caps given as they are (tests). */
    public InflationLimits(long maxMemberBytes, long maxTotalBytes, int maxRatio, int maxMembers) {
        this.maxMemberBytes = maxMemberBytes;
        this.maxTotalBytes = maxTotalBytes;
        this.maxRatio = maxRatio;
        this.maxMembers = maxMembers;
    }

    /** A fresh budget for one compressed file (a .gz, or all members of one .zip). */
    public InflationBudget budget(String fileName) {
        return new InflationBudget(fileName, maxMemberBytes, maxTotalBytes, maxRatio);
    }

    /**
     * Why this zip is refused by what its central directory declares (how many members, each one's size
     * and compression ratio, their total), or null. Directories are not members.
     */
    public String refusal(ZipFile zip) {
        if (zip.size() > maxMembers) {
            return "zip of %d members refused (more than %d: %s)".formatted(zip.size(), maxMembers, MAX_MEMBERS);
        }
        long total = 0;
        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
            ZipEntry entry = entries.nextElement();
            if (entry.isDirectory()) {
                continue;
            }
            String name = printable(entry.getName());
            long size = entry.getSize();
            long compressed = entry.getCompressedSize();
            if (size < 0 || compressed < 0) {
                return "zip member '" + name + "' refused: its size is not declared";
            }
            if (size > maxMemberBytes) {
                return "zip member '%s' refused: %d bytes (more than %d: %s; a zip bomb?)".formatted(name, size, maxMemberBytes, MAX_MEMBER_BYTES);
            }
            if (size > Math.max(RATIO_FLOOR_BYTES, multiplyCapped(Math.max(compressed, 1), maxRatio))) {
                return "zip member '%s' refused: compressed %d to 1 (more than %d to 1: %s; a zip bomb?)"
                        .formatted(name, size / Math.max(compressed, 1), maxRatio, MAX_RATIO);
            }
            total += size;
            if (total > maxTotalBytes) {
                return "zip refused: its members hold more than %d bytes (%s; a zip bomb?)".formatted(maxTotalBytes, MAX_TOTAL_BYTES);
            }
        }
        return null;
    }

    static long multiplyCapped(long a, long b) {
        long product = a * b;
        return a != 0 && product / a != b ? Long.MAX_VALUE : product;
    }

    /** A member name fit for a message: control characters shown as '?', at most 200 characters. */
    static String printable(String name) {
        String shown = name.replaceAll("\\p{Cntrl}", "?");
        return shown.length() > 200 ? shown.substring(0, 200) + "…" : shown;
    }
}
