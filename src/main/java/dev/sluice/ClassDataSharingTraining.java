package dev.sluice;

import dev.sluice.embedded.FreePort;
import io.quarkus.runtime.Quarkus;

import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * The build's training run for class data sharing (pom.xml, phase package): Sluice starts as README
 * command 1 starts it, under {@code -XX:ArchiveClassesAtExit}, and stops itself once /q/health/ready
 * answers 200. The JVM then writes every class it loaded, parsed and verified, to
 * target/quarkus-app/app-cds.jsa; a later {@code java -XX:SharedArchiveFile=…} maps them instead of
 * loading them again from the jars (bench/startup-bench.sh: a restart on 2 cores 15.7 → 13.0 s).
 */
final class ClassDataSharingTraining {

    /** {@code -Dsluice.cds-training=true} asks for the training run. */
    static final String PROPERTY = "sluice.cds-training";

    private static final Duration LONGEST = Duration.ofMinutes(3);

    private ClassDataSharingTraining() {
    }

    static boolean requested() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * Gives this run ports nobody else uses (a developer's Sluice may run on the default ones), then
     * stops it once ready, or after three minutes whatever happened: the archive is written either way.
     */
    static void stopOnceReady() {
        int port = FreePort.find();
        System.setProperty("SLUICE_HTTP_PORT", String.valueOf(port));
        System.setProperty("SLUICE_JOLOKIA_PORT", String.valueOf(FreePort.find()));
        Thread watcher = new Thread(() -> {
            Instant deadline = Instant.now().plus(LONGEST);
            while (Instant.now().isBefore(deadline) && !ready(port)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Quarkus.asyncExit(0);
        }, "sluice-cds-training");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static boolean ready(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/q/health/ready")
                    .toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (java.io.IOException notYet) {
            return false;
        }
    }
}
