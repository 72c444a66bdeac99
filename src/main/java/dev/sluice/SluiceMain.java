package dev.sluice;

import dev.sluice.console.ConsoleCredentials;
import dev.sluice.embedded.DataDirectoryOwner;
import dev.sluice.embedded.EmbeddedDefaults;
import dev.sluice.embedded.PrivateFiles;
import io.quarkus.runtime.Quarkus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Starts the embedded parts the environment does not provide, then Sluice itself.
 * It is the jar's entry point through quarkus.package.main-class, not @QuarkusMain: that annotation
 * would stop Camel Quarkus from starting Camel by itself (which tests rely on).
 */
public class SluiceMain {

    public static void main(String... args) {
        // Quarkus configures logging only once it runs; until then keep the embedded parts' chatter out
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        // the AWS SDK's default flexible checksums are not understood by every S3-compatible server
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        if (ClassDataSharingTraining.requested()) {
            ClassDataSharingTraining.stopOnceReady();
        }
        Path data = Path.of(System.getenv().getOrDefault("SLUICE_DATA_DIR", "data"));
        try {
            // what Sluice keeps (database, objects, secrets) is its user's alone
            PrivateFiles.directory(data);
            // embedded servers start meanwhile (Flyway waits for them: EmbeddedServersFirst) and stop with the
            // JVM (their own shutdown hooks); a kill -9 is handled at the next start
            EmbeddedDefaults.startWhatIsNotConfigured(System.getenv());
        } catch (DataDirectoryOwner.DataDirectoryInUseException inUse) {
            System.err.println("Sluice cannot start: " + inUse.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("Sluice cannot start: " + e);
            System.exit(1);
        }
        ConsoleCredentials.ensure(System.getenv(), data);
        Quarkus.run(args);
    }
}
