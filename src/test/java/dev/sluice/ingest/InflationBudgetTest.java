package dev.sluice.ingest;

import dev.sluice.landing.Packing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The zip-bomb caps, read by read and from a zip's central directory: each cap refuses with a reason
 * naming its property, and a file within them passes.
 */
class InflationBudgetTest {

    private static final long NO_CAP = Long.MAX_VALUE;

    @Test
    void contentWithinTheCapsShouldReadWhole() throws IOException {
        byte[] text = randomText(3 << 20);
        byte[] gz = gzip(text);
        InflationBudget budget = new InflationBudget("rain.csv.gz", NO_CAP, NO_CAP, 100);
        assertEquals(text.length, drain(budget.watch("rain.csv", gz.length, new GZIPInputStream(new ByteArrayInputStream(gz)))));
    }

    @Test
    void aMemberPastTheRatioShouldBeRefusedLongBeforeItsEnd() throws IOException {
        byte[] gz = gzip(new byte[50 << 20]); // 50 MB of zeros: ~50 KB
        InflationBudget budget = new InflationBudget("bomb.csv.gz", NO_CAP, NO_CAP, 100);
        InputStream in = budget.watch("bomb.csv", gz.length, new GZIPInputStream(new ByteArrayInputStream(gz)));
        ArchiveRefusedException refused = assertThrows(ArchiveRefusedException.class, () -> drain(in));
        assertTrue(refused.getMessage().contains("sluice.inflation.max-ratio=100"), refused.getMessage());
    }

    @Test
    void aSmallFileShouldPassWhateverItsRatio() throws IOException {
        byte[] gz = gzip(new byte[1 << 19]); // 512 KiB of zeros compress ~1000:1, but stay below the 1 MiB floor
        InflationBudget budget = new InflationBudget("small.csv.gz", NO_CAP, NO_CAP, 100);
        assertEquals(1 << 19, drain(budget.watch("small.csv", gz.length, new GZIPInputStream(new ByteArrayInputStream(gz)))));
    }

    @Test
    void aMemberPastTheSizeCapShouldBeRefused() throws IOException {
        byte[] text = randomText(3 << 20);
        byte[] gz = gzip(text);
        InflationBudget budget = new InflationBudget("big.csv.gz", 2 << 20, NO_CAP, 100);
        ArchiveRefusedException refused = assertThrows(ArchiveRefusedException.class,
                () -> drain(budget.watch("big.csv", gz.length, new GZIPInputStream(new ByteArrayInputStream(gz)))));
        assertTrue(refused.getMessage().contains("sluice.inflation.max-member-bytes"), refused.getMessage());
    }

    @Test
    void membersTogetherPastTheTotalCapShouldBeRefusedAndAMemberReadTwiceCountOnce() throws IOException {
        byte[] text = randomText(2 << 20);
        InflationBudget budget = new InflationBudget("bundle.zip", NO_CAP, 5 << 20, 100);
        drain(budget.watch("a.csv", text.length, new ByteArrayInputStream(text)));
        drain(budget.watch("a.csv", text.length, new ByteArrayInputStream(text))); // the merge pass: still 2 MiB
        drain(budget.watch("b.csv", text.length, new ByteArrayInputStream(text))); // 4 MiB in all
        ArchiveRefusedException refused = assertThrows(ArchiveRefusedException.class,
                () -> drain(budget.watch("c.csv", text.length, new ByteArrayInputStream(text))));
        assertTrue(refused.getMessage().contains("sluice.inflation.max-total-bytes"), refused.getMessage());
    }

    @Test
    void aTruncatedGzipShouldBeRefusedAsCorrupt() throws IOException {
        byte[] gz = gzip(randomText(1 << 20));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        InflationBudget budget = new InflationBudget("cut.csv.gz", NO_CAP, NO_CAP, 100);
        ArchiveRefusedException refused = assertThrows(ArchiveRefusedException.class,
                () -> drain(budget.watch("cut.csv", cut.length, new GZIPInputStream(new ByteArrayInputStream(cut)))));
        assertTrue(refused.getMessage().startsWith("corrupt or truncated gzip file"), refused.getMessage());
    }

    @TempDir
    Path dir;

    @Test
    void aZipsCentralDirectoryShouldBeHeldToTheSameCaps() throws IOException {
        InflationLimits limits = new InflationLimits(NO_CAP, 5 << 20, 100, 3);
        try (ZipFile fine = zip(Map.of("a.csv", randomText(2 << 20), "b.csv", randomText(2 << 20)))) {
            assertNull(limits.refusal(fine));
        }
        try (ZipFile bomb = zip(Map.of("a.csv", randomText(1 << 10), "zeros.csv", new byte[4 << 20]))) {
            String refusal = limits.refusal(bomb);
            assertTrue(refusal.contains("'zeros.csv'") && refusal.contains("sluice.inflation.max-ratio"), refusal);
        }
        try (ZipFile large = zip(Map.of("a.csv", randomText(2 << 20), "b.csv", randomText(2 << 20), "c.csv", randomText(2 << 20)))) {
            assertTrue(limits.refusal(large).contains("sluice.inflation.max-total-bytes"), limits.refusal(large));
        }
        try (ZipFile many = zip(Map.of("a", new byte[1], "b", new byte[1], "c", new byte[1], "d", new byte[1]))) {
            assertTrue(limits.refusal(many).contains("sluice.inflation.max-members"), limits.refusal(many));
        }
    }

    private ZipFile zip(Map<String, byte[]> members) throws IOException {
        Path file = Files.createTempFile(dir, "members-", ".zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> member : members.entrySet()) {
                zip.putNextEntry(new ZipEntry(member.getKey()));
                zip.write(member.getValue());
                zip.closeEntry();
            }
        }
        return new ZipFile(file.toFile());
    }

    @Test
    void theInnerNameShouldDropOnlyGz() {
        assertEquals("rain-2024.csv", Packing.innerName("rain-2024.csv.gz"));
        assertEquals("rain-2024.csv", Packing.innerName("rain-2024.csv"));
        assertEquals(Packing.ZIP, Packing.of("Bundle.ZIP"));
        assertEquals(Packing.PLAIN, Packing.of(".gz"));
    }

    private static long drain(InputStream in) throws IOException {
        try (in) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                total += read;
            }
            return total;
        }
    }

    /** CSV-like text: compresses as real files do (a few times), not as a bomb. */
    private static byte[] randomText(int size) {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(size + 64);
        while (text.length() < size) {
            text.append("G").append(random.nextInt(1000)).append(",2024-01-01 ").append(random.nextInt(24)).append(':')
                    .append(random.nextInt(60)).append(',').append(random.nextInt(10_000) / 1000.0).append('\n');
        }
        return text.substring(0, size).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }
}
