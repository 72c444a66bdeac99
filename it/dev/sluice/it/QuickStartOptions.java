package dev.sluice.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * JVM options for the Sluice processes the *IT tests start, which make each start quicker without
 * changing what Sluice does: a start is mostly JIT compilation and class loading competing for two cores.
 * <ul>
 *   <li>as README command 1: the classes the build's training run archived (pom.xml) are mapped, not
 *       loaded and verified again;</li>
 *   <li>C1 only: a test's process lives for seconds, C2's compilations never pay back.</li>
 * </ul>
 * Deployment-shaped tests (DeployedAsShippedIT, CamelKBuildIT) start Sluice as shipped instead.
 */
final class QuickStartOptions {

    private static final Path ARCHIVE = Path.of("target/quarkus-app/app-cds.jsa");

    private QuickStartOptions() {
    }

    static List<String> jvm() {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        if (Files.exists(ARCHIVE)) {
            options.add("-XX:SharedArchiveFile=" + ARCHIVE);
        }
        return options;
    }
}
