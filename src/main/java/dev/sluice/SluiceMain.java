package dev.sluice;

import dev.sluice.embedded.EmbeddedDefaults;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.apache.camel.quarkus.main.CamelMainApplication;

/** Starts the embedded parts the environment does not provide, then Sluice itself. */
@QuarkusMain
public class SluiceMain {

    public static void main(String... args) {
        // Quarkus configures logging only once it runs; until then keep the embedded parts' chatter out
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        // the AWS SDK's default flexible checksums are not understood by every S3-compatible server
        System.setProperty("aws.requestChecksumCalculation", "WHEN_REQUIRED");
        System.setProperty("aws.responseChecksumValidation", "WHEN_REQUIRED");
        // embedded servers stop with the JVM (their own shutdown hooks); a kill -9 is handled at the next start
        EmbeddedDefaults.startWhatIsNotConfigured(System.getenv());
        Quarkus.run(CamelMainApplication.class, args);
    }
}
