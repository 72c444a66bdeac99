package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.embedded.FreePort;
import dev.sluice.kubernetes.RenderedOverlay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged app (target/quarkus-app) started as the image and the Deployment start it, without a
 * container engine (none can be had here):
 * <ul>
 *   <li>the image's files are what src/main/docker/Dockerfile.jvm COPYs, placed under a temporary root and
 *   made read-only (the Deployment's readOnlyRootFilesystem); its ENV, WORKDIR, USER and ENTRYPOINT are read
 *   from the Dockerfile: the process runs as that uid (setpriv; the test runs as root) with the Dockerfile's
 *   entry point, in its working directory;</li>
 *   <li>the environment is the image's ENV, then the rendered Deployment's (envFrom ConfigMap and Secret,
 *   env, the downward API) as {@link RenderedOverlay#environment} computes it, then the test's
 *   substitutions; nothing is inherited from the test JVM's environment;</li>
 *   <li>every volumeMount is a writable temporary directory owned by that uid (fsGroup); a container path
 *   in an environment value or the entry point is mapped to the volume holding it or else into the
 *   read-only root, so a write the pod could not make fails here too.</li>
 * </ul>
 * What cannot be the same: the RUN steps of the Dockerfile (they prepare /var/lib/sluice, a volume
 * here as in the Deployment), /tmp (the JVM uses the machine's, writable as the pod's emptyDir), the
 * pod's own network (the HTTP and Jolokia ports are free ports, not 8080/8778) and the services
 * outside it (the caller substitutes them).
 */
final class ShippedContainer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** What the Dockerfile says about running the app. */
    record Image(Map<String, String> env, String workdir, String user, List<String> entrypoint, List<String[]> copies) {

        static Image read(Path dockerfile) throws IOException {
            Map<String, String> env = new LinkedHashMap<>();
            String workdir = "/";
            String user = "root";
            List<String> entrypoint = List.of();
            List<String[]> copies = new ArrayList<>();
            for (String line : Files.readAllLines(dockerfile)) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] instruction = text.split("\\s+", 2);
                String arguments = instruction.length > 1 ? instruction[1] : "";
                switch (instruction[0].toUpperCase()) {
                    case "ENV" -> {
                        for (String pair : arguments.split("\\s+(?=[A-Za-z_][A-Za-z0-9_]*=)")) {
                            String[] kv = pair.split("=", 2);
                            env.put(kv[0], kv[1].replaceAll("^'|'$|^\"|\"$", ""));
                        }
                    }
                    case "WORKDIR" -> workdir = arguments;
                    case "USER" -> user = arguments;
                    case "ENTRYPOINT" -> entrypoint = List.of(new ObjectMapper().readValue(arguments, String[].class));
                    case "COPY" -> {
                        List<String> parts = new ArrayList<>(List.of(arguments.split("\\s+")));
                        parts.removeIf(p -> p.startsWith("--"));
                        copies.add(parts.toArray(String[]::new));
                    }
                    default -> {
                        // FROM, RUN, EXPOSE, LABEL: nothing the started process sees
                    }
                }
            }
            return new Image(env, workdir, user, entrypoint, copies);
        }

        int uid() {
            return Integer.parseInt(user.split(":")[0]);
        }
    }

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final Map<String, String> environment;

    private ShippedContainer(Process process, Path log, int httpPort, Map<String, String> environment) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.environment = environment;
    }

    /** A temporary directory the pod's user can pass through (a volume below it must be reachable). */
    static Path workspace(String prefix) throws IOException {
        Path base = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        return base;
    }

    /**
     * Builds the read-only image root under {@code base}/root from the Dockerfile and target/quarkus-app;
     * several containers can share it.
     */
    static Path imageRoot(Path base, Image image) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("run after 'mvn package': " + jar + " is missing");
        }
        Path root = base.resolve("root");
        for (String[] copy : image.copies()) {
            Path destination = inside(root, copy[copy.length - 1]);
            for (int i = 0; i < copy.length - 1; i++) {
                copy(copy[i], destination);
            }
        }
        Files.createDirectories(inside(root, image.workdir()));
        // read-only for everybody but root (the pod's user is not root): the readOnlyRootFilesystem of the Deployment
        try (Stream<Path> all = Files.walk(root)) {
            for (Path path : all.toList()) {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
            }
        }
        return root;
    }

    /**
     * Starts one replica of {@code overlay}'s Deployment as pod {@code podName}: {@code root} from
     * {@link #imageRoot}, its volumes under {@code base}/{@code podName} unless {@code sharedVolumes}
     * names a directory for them (a ReadWriteMany claim every replica mounts), {@code substitutions}
     * applied last.
     */
    static ShippedContainer start(RenderedOverlay overlay, Image image, Path root, Path base, String podName,
                                  Map<String, Path> sharedVolumes, Map<String, String> substitutions) throws IOException {
        JsonNode container = overlay.container();
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String volume = mount.path("name").asText();
            Path directory = sharedVolumes.containsKey(volume) ? sharedVolumes.get(volume)
                    : Files.createDirectories(base.resolve(podName).resolve("volumes").resolve(volume));
            mounts.put(mount.path("mountPath").asText(), directory);
        }
        for (Path directory : mounts.values()) {
            ownedBy(directory, image.uid());
        }
        // a mount inside another mount shows through it (the data directory's landing/ is the landing volume)
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            for (Map.Entry<String, Path> outer : mounts.entrySet()) {
                if (mount.getKey().startsWith(outer.getKey() + "/")) {
                    Path link = outer.getValue().resolve(mount.getKey().substring(outer.getKey().length() + 1));
                    Files.createDirectories(link.getParent());
                    if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, mount.getValue());
                    }
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>(image.env());
        env.putAll(overlay.environment(overlay::downwardApi));
        // the kubelet sets HOSTNAME to the pod's name (Camel's Lease election names the member by it)
        env.put("HOSTNAME", podName);
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        int httpPort = FreePort.find();
        // the pod has its own network: here its ports are free ones
        env.put("SLUICE_HTTP_PORT", String.valueOf(httpPort));
        env.put("SLUICE_JOLOKIA_PORT", String.valueOf(FreePort.find()));
        // container paths of the image and the manifests; the substitutions are this machine's already
        env.replaceAll((name, value) -> value.startsWith("/") && !value.contains(" ") ? onHost(value, root, mounts).toString() : value);
        env.putAll(substitutions);

        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + image.uid(), "--regid=" + image.uid(), "--clear-groups", "--"));
        for (String argument : image.entrypoint()) {
            command.add(argument.equals("java") ? ProcessHandle.current().info().command().orElse("java")
                    : argument.startsWith("/") ? onHost(argument, root, mounts).toString() : argument);
        }
        Path log = Files.createTempFile(base, podName + "-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(onHost(image.workdir(), root, mounts).toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Api.credentials(httpPort, Path.of(env.getOrDefault("SLUICE_DATA_DIR", onHost("/", root, mounts).toString())), env);
        return new ShippedContainer(builder.start(), log, httpPort, env);
    }

    /** Where a container path is on this machine: in the deepest volume mounted above it, else in the image root. */
    private static Path onHost(String containerPath, Path root, Map<String, Path> mounts) {
        String best = null;
        for (String at : mounts.keySet()) {
            if ((containerPath.equals(at) || containerPath.startsWith(at + "/")) && (best == null || at.length() > best.length())) {
                best = at;
            }
        }
        if (best == null) {
            return inside(root, containerPath);
        }
        String rest = containerPath.substring(best.length()).replaceFirst("^/", "");
        return rest.isEmpty() ? mounts.get(best) : mounts.get(best).resolve(rest);
    }

    private static Path inside(Path root, String containerPath) {
        return root.resolve(containerPath.replaceFirst("^/+", ""));
    }

    private static void copy(String source, Path destination) throws IOException {
        String pattern = Path.of(source).getFileName().toString();
        if (pattern.contains("*")) {
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            Files.createDirectories(destination);
            try (Stream<Path> files = Files.list(Path.of(source).getParent())) {
                for (Path file : files.filter(f -> matcher.matches(f.getFileName())).toList()) {
                    Files.copy(file, destination.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return;
        }
        Path from = Path.of(source);
        try (Stream<Path> all = Files.walk(from)) {
            for (Path path : all.toList()) {
                Path target = destination.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void ownedBy(Path directory, int uid) throws IOException {
        try (Stream<Path> all = Files.walk(directory)) {
            for (Path path : all.toList()) {
                Files.setAttribute(path, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:gid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    /**
     * The bucket the ConfigMap names (SLUICE_S3_BUCKET), created in {@code store} as an operator creates it
     * in the object store: readiness wants it there.
     */
    static void createBucket(RenderedOverlay overlay, dev.sluice.embedded.EmbeddedS3Server store) {
        String bucket = overlay.environment(overlay::downwardApi).get("SLUICE_S3_BUCKET");
        try (software.amazon.awssdk.services.s3.S3Client s3 = software.amazon.awssdk.services.s3.S3Client.builder()
                .endpointOverride(store.endpoint()).region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(store.accessKey(), store.secretKey())))
                .build()) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException there) {
            // a second overlay names the same bucket
        }
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    Map<String, String> environment() {
        return environment;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** The status and body of GET /q/health/ready (no credentials: the kubelet has none). */
    HttpResponse<String> readiness() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until /q/health/ready answers with {@code status}; returns its body. */
    String awaitReadiness(int status, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "(no answer)";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Sluice exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> response = readiness();
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == status) {
                    return response.body();
                }
            } catch (IOException notYetListening) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("readiness not " + status + " within " + timeout + " (last: " + last + "):\n" + log());
    }

    /** kill -9: no shutdown hook, nothing closed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
