import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a rain-gauge CSV for the benchmarks: {@code rows} five-minute readings spread over gauges
 * of 100k readings each, so every (gauge_id, observed_at) is unique. "corrected" writes the same keys
 * with every rainfall value changed, as a district's correction file would.
 *
 * Usage: java bench/GenerateRainCsv.java OUT ROWS [original|corrected]
 */
public class GenerateRainCsv {

    public static void main(String[] args) throws IOException {
        String out = args[0];
        long rows = Long.parseLong(args[1]);
        boolean corrected = args.length > 2 && args[2].equals("corrected");
        java.time.LocalDateTime start = java.time.LocalDateTime.of(2020, 1, 1, 0, 0);
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        try (OutputStream file = new BufferedOutputStream(new FileOutputStream(out), 1 << 20)) {
            StringBuilder line = new StringBuilder(64);
            file.write("gauge_id,observed_at,rainfall_in,quality\n".getBytes(StandardCharsets.US_ASCII));
            for (long i = 0; i < rows; i++) {
                long reading = i % 100_000;
                long hundredths = (i * 7919) % 500 + (corrected ? 1 : 0);
                line.setLength(0);
                line.append("G").append(1000 + i / 100_000).append(',')
                        .append(start.plusMinutes(5 * reading).format(format)).append(',')
                        .append(hundredths / 100).append('.').append(hundredths % 100 < 10 ? "0" : "").append(hundredths % 100)
                        .append(',').append(i % 50 == 0 ? "estimated" : "ok").append('\n');
                file.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
