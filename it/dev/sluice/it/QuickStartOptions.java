package dev.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * JVM options for the Sluice processes the *IT tests start, which make each start quicker without
 * changing what Sluice does: a start is mostly JIT compilation and class loading competing for two cores.
 * <ul>
 *   <li>C1 only: a test's process lives for seconds, C2's compilations never pay back;</li>
 *   <li>class data sharing: the first process of a run that ends by itself dumps an archive of the
 *       classes it loaded ({@code -XX:ArchiveClassesAtExit}), every later one maps it instead of parsing and
 *       verifying those classes again. The archive is named after the jar's size and time, so a rebuilt
 *       jar never meets an archive of another build.</li>
 * </ul>
 * Deployment-shaped tests (DeployedAsShippedIT, CamelKBuildIT) start Sluice as shipped instead.
 */
final class QuickStartOptions {

    private static final Path DIRECTORY = Path.of("target/it-class-data");
    private static boolean dumpStarted;

    private QuickStartOptions() {
    }

    /** The options for the next start; {@code dump} is set when this start is the one to write the archive. */
    record Options(List<String> jvm, Path dump, Path archive) {
    }

    static synchronized Options next(Path jar) throws IOException {
        Path archive = DIRECTORY.resolve("sluice-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + ".jsa");
        if (Files.exists(archive)) {
            return new Options(List.of("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=" + archive), null, archive);
        }
        if (dumpStarted) {
            return new Options(List.of("-XX:TieredStopAtLevel=1"), null, archive);
        }
        dumpStarted = true;
        Files.createDirectories(DIRECTORY);
        Path dump = DIRECTORY.resolve(archive.getFileName() + ".partial");
        return new Options(List.of("-XX:TieredStopAtLevel=1", "-XX:ArchiveClassesAtExit=" + dump), dump, archive);
    }

    /** After the dumping process ended by itself: the archive is complete only then. */
    static synchronized void dumped(Options options, boolean endedByItself) throws IOException {
        if (options.dump() == null || !Files.exists(options.dump())) {
            if (options.dump() != null) {
                dumpStarted = false; // killed before it could write: the next start tries again
            }
            return;
        }
        if (endedByItself) {
            Files.move(options.dump(), options.archive(), StandardCopyOption.ATOMIC_MOVE);
        } else {
            Files.delete(options.dump());
            dumpStarted = false;
        }
    }
}
