package dev.sluice.ingest;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipException;

/**
 * Watches what one compressed file (a .gz, or all members of a .zip) inflates to, while it is read,
 * against the {@link InflationLimits}:
 * <ul>
 *   <li>one member (the .gz's content, a .zip member) at most {@code maxMemberBytes};</li>
 *   <li>all members together at most {@code maxTotalBytes};</li>
 *   <li>one member at most {@code maxRatio} times its compressed size: text compresses 5–20×, a bomb
 *       (zeros) about 1000×. The ratio is not applied below {@link InflationLimits#RATIO_FLOOR_BYTES}, where a small
 *       file of repeated lines may well compress better than that and costs nothing.</li>
 * </ul>
 * A member read twice (the loader's merge pass reads its content again) counts once, with its
 * larger reading. Beyond a cap, or when the compressed data is damaged, the read throws
 * {@link ArchiveRefusedException}: the file is refused whole. Counting costs no memory: nothing is
 * kept but the numbers.
 */
public final class InflationBudget {

    private final String fileName;
    private final long maxMemberBytes;
    private final long maxTotalBytes;
    private final int maxRatio;
    private final Map<String, Long> inflatedByMember = new HashMap<>();
    private long otherMembersBytes;

    public InflationBudget(String fileName, long maxMemberBytes, long maxTotalBytes, int maxRatio) {
        this.fileName = fileName;
        this.maxMemberBytes = maxMemberBytes;
        this.maxTotalBytes = maxTotalBytes;
        this.maxRatio = maxRatio;
    }

    /**
     * The member's inflated bytes, watched.
     *
     * @param member         the member's name ("rain.csv" for a .gz)
     * @param compressedSize its compressed size (the .gz file's size, the member's size in the .zip)
     * @param inflating      the inflating stream (GZIPInputStream, ZipFile's member stream)
     */
    public InputStream watch(String member, long compressedSize, InputStream inflating) {
        otherMembersBytes = inflatedByMember.entrySet().stream()
                .filter(e -> !e.getKey().equals(member)).mapToLong(Map.Entry::getValue).sum();
        long byRatio = Math.max(InflationLimits.RATIO_FLOOR_BYTES, InflationLimits.multiplyCapped(Math.max(compressedSize, 1), maxRatio));
        return new Watched(member, inflating, Math.min(maxMemberBytes, byRatio), byRatio < maxMemberBytes);
    }

    /** Opens damaged or truncated compressed data as what it is: a refusal of the whole file, with the reason. */
    public ArchiveRefusedException corrupt(IOException e) {
        String kind = zip() ? "zip archive" : "gzip file";
        return new ArchiveRefusedException("corrupt or truncated " + kind + ": " + (e instanceof EOFException
                ? "it ends before its compressed data does (" + e.getMessage() + ")" : e.getMessage()));
    }

    private boolean zip() {
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".zip");
    }

    private final class Watched extends FilterInputStream {

        private final String member;
        private final long limit;
        private final boolean limitedByRatio;
        private long inflated;

        Watched(String member, InputStream in, long limit, boolean limitedByRatio) {
            super(in);
            this.member = member;
            this.limit = limit;
            this.limitedByRatio = limitedByRatio;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int read;
            try {
                read = in.read(b, off, len);
            } catch (ZipException | EOFException e) {
                throw corrupt(e);
            }
            if (read > 0) {
                count(read);
            }
            return read;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long bytes) {
            inflated += bytes;
            inflatedByMember.merge(member, inflated, Math::max);
            if (inflated > limit) {
                throw new ArchiveRefusedException(limitedByRatio
                        ? "%s inflates to more than %d times its compressed size (%s=%d): a zip bomb?"
                                .formatted(describe(), maxRatio, InflationLimits.MAX_RATIO, maxRatio)
                        : "%s inflates to more than %d bytes (%s)".formatted(describe(), maxMemberBytes, InflationLimits.MAX_MEMBER_BYTES));
            }
            if (otherMembersBytes + inflated > maxTotalBytes) {
                throw new ArchiveRefusedException("%s: its members inflate to more than %d bytes together (%s)"
                        .formatted(fileName, maxTotalBytes, InflationLimits.MAX_TOTAL_BYTES));
            }
        }

        private String describe() {
            return zip() ? fileName + " member " + member : fileName;
        }
    }
}
