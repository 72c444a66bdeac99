package dev.sluice.it;

import dev.sluice.embedded.FreePort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged Sluice jar run as a user runs it: its own JVM, its own log, killable with SIGKILL. */
final class SluiceProcess implements AutoCloseable {

    private static final Pattern EMBEDDED_DB = Pattern.compile("started embedded PostgreSQL at (jdbc:postgresql://\\S+)");

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final Path dataDirectory;

    private SluiceProcess(Process process, Path log, int httpPort, Path dataDirectory) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.dataDirectory = dataDirectory;
    }

    long pid() {
        return process.pid();
    }

    /** Base URL of its HTTP API. */
    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    static SluiceProcess start(Path dataDirectory, Map<String, String> environment) throws IOException {
        return start(dataDirectory, environment, "-Xmx256m");
    }

    /** As {@link #start(Path, Map)} with the given JVM options (e.g. the heap a deployment recommends). */
    static SluiceProcess start(Path dataDirectory, Map<String, String> environment, String... jvmOptions) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("run after 'mvn package': " + jar + " is missing");
        }
        Path log = Files.createTempFile(dataDirectory.getParent(), "sluice-", ".log");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("java"));
        command.addAll(QuickStartOptions.jvm());
        command.addAll(java.util.List.of(jvmOptions));
        command.addAll(java.util.List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SLUICE_DATA_DIR", dataDirectory.toString());
        int httpPort = FreePort.find();
        builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("SLUICE_JOLOKIA_PORT", String.valueOf(FreePort.find()));
        builder.environment().put("SLUICE_STABLE_FOR_MS", "500");
        builder.environment().put("SLUICE_POLL_MS", "200");
        builder.environment().putAll(environment);
        // Api calls it as its console user (every endpoint but /q/health/* wants credentials)
        Api.credentials(httpPort, dataDirectory, Map.copyOf(builder.environment()));
        return new SluiceProcess(builder.start(), log, httpPort, dataDirectory);
    }

    /**
     * Waits until the landing route runs; returns the JDBC URL of the embedded PostgreSQL it started,
     * with the user and the generated password as parameters (or null when it started none).
     */
    String awaitStarted(Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.readString(log);
            if (text.contains("Started landing-ingest") && text.contains("Listening on:")) {
                Matcher url = EMBEDDED_DB.matcher(text);
                if (!url.find()) {
                    return null;
                }
                String password = Files.readString(dataDirectory.resolve("postgres-password")).strip();
                return url.group(1) + "?user=postgres&password=" + password;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Sluice exited with " + process.exitValue() + ":\n" + text);
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Sluice did not start within " + timeout + ":\n" + Files.readString(log));
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Sluice still runs after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** kill -9: no shutdown hook, no clean close of anything. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
