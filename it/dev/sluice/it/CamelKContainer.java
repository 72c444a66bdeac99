package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.embedded.FreePort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An integration's container as Camel K 2.10.1 runs it (apache/camel-k v2.10.1: pkg/trait/mount.go,
 * environment.go, jvm.go, camel.go, cron.go, trait_types.go), on this machine. The container's file
 * system is a directory ({@link #path} maps a container path into it):
 * <ul>
 *   <li>the route file under /etc/camel/sources/ (for a CronJob, with its `from` rewritten to
 *       {@value #CRON_JOB_FROM}, its parameters dropped, as the cron trait does);</li>
 *   <li>/etc/camel/application.properties: what the traits compute (source location, routes include
 *       pattern, durationMaxMessages=1 for a CronJob, platform-http for REST, the cloud-properties
 *       directories of config= entries); /etc/camel/conf.d/user.properties: the camel trait's
 *       properties (property= entries); both Quarkus configuration through QUARKUS_CONFIG_LOCATIONS;</li>
 *   <li>the Kamelet CRs of the namespace the source uses (kamelets trait, pkg/trait/kamelets.go): under
 *       /etc/camel/kamelets/kamelets-bundle-&lt;integration&gt;-001/, with camel.component.kamelet.location
 *       naming that directory, then classpath:/kamelets; none found: Camel's default, classpath:kamelets;</li>
 *   <li>config=configmap:/secret: entries: one file per key under /etc/camel/conf.d/_configmaps|_secrets/NAME/
 *       (Camel properties); mount.resources: one file per key where they say; mount.volumes: an empty
 *       directory standing in for the claim;</li>
 *   <li>the environment: the environment trait's variables, environment.vars with configmap:/secret:
 *       values taken from the {@link Namespace} (a missing key fails, as the pod would);</li>
 *   <li>`java -cp … io.quarkus.bootstrap.runner.QuarkusEntryPoint` in /deployments, the build's
 *       quarkus-app as /deployments/dependencies.</li>
 * </ul>
 * What differs, and why: the HTTP port is a free one (QUARKUS_HTTP_PORT), since every integration
 * here shares one network; the heap is capped for a 2-core test machine.
 */
final class CamelKContainer implements AutoCloseable {

    static final String CRON_JOB_FROM = "timer:camel-k-overridden-cron?delay=0&period=1&repeatCount=1";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    /**
     * The ConfigMaps and Secrets of the namespace the integration runs in (name → key → value), and the
     * Kamelet CRs the operator finds there (name → the CR's YAML).
     */
    record Namespace(Map<String, Map<String, String>> configMaps, Map<String, Map<String, String>> secrets,
                     Map<String, String> kamelets) {

        Namespace(Map<String, Map<String, String>> configMaps, Map<String, Map<String, String>> secrets) {
            this(configMaps, secrets, Map.of());
        }

        /** The same namespace with these Kamelet CRs applied (`kubectl apply -f kubernetes/camel-k/kamelets/`). */
        Namespace withKamelets(Map<String, String> crs) {
            return new Namespace(configMaps, secrets, crs);
        }

        /** The Kamelets the integration uses that are CRs here, name → CR (the others: not found, not an error). */
        Map<String, String> kameletsOf(CamelKIntegration integration) throws IOException {
            Map<String, String> found = new TreeMap<>();
            for (String name : integration.kamelets()) {
                if (kamelets.containsKey(name)) {
                    found.put(name, kamelets.get(name));
                }
            }
            return found;
        }
    }

    private final Process process;
    private final Path root;
    private final Path log;
    private final int httpPort;
    private final Instant launched;
    private Duration startedAfter;

    private CamelKContainer(Process process, Path root, Path log, int httpPort, Instant launched) {
        this.process = process;
        this.root = root;
        this.log = log;
        this.httpPort = httpPort;
        this.launched = launched;
    }

    /** Lays out the container's file system under {@code root} and starts the integration. */
    static CamelKContainer start(CamelKIntegration integration, Path quarkusApp, Namespace namespace, Path root) throws IOException {
        Path etc = Files.createDirectories(path(root, "/etc/camel"));
        Path sources = Files.createDirectories(etc.resolve("sources"));
        Files.writeString(sources.resolve(integration.sourceName()),
                integration.runsAsCronJob() ? withCronJobFrom(integration.sourceContent()) : integration.sourceContent());
        // sorted, as the jvm trait sorts the class path
        TreeSet<String> classpath = new TreeSet<>();
        classpath.add("./resources");
        classpath.add(path(root, "/etc/camel/resources.d/_configmaps").toString());
        classpath.add(path(root, "/etc/camel/resources.d/_secrets").toString());
        classpath.add(path(root, "/etc/camel/resources").toString());

        Map<String, String> application = new TreeMap<>();
        application.put("camel.main.source-location-enabled", "true");
        application.put("camel.main.routes-include-pattern", "file:" + sources + "/**");
        if (integration.runsAsCronJob()) {
            application.put("camel.main.durationMaxMessages", "1");
        }
        if (integration.exposesRest()) {
            application.put("camel.context.rest-configuration.component", "platform-http");
        }
        // the kamelets trait: the Kamelet CRs found go into the ConfigMap kamelets-bundle-<it>-001, mounted here,
        // looked up before the class path (pkg/trait/kamelets.go); without any, the default classpath:kamelets
        Map<String, String> kamelets = namespace.kameletsOf(integration);
        if (!kamelets.isEmpty()) {
            String bundle = "/etc/camel/kamelets/kamelets-bundle-" + integration.name() + "-001";
            Path directory = Files.createDirectories(path(root, bundle));
            for (Map.Entry<String, String> kamelet : kamelets.entrySet()) {
                Files.writeString(directory.resolve(kamelet.getKey() + ".kamelet.yaml"), kamelet.getValue());
            }
            application.put("camel.component.kamelet.location", "file:" + directory + ",classpath:/kamelets");
        }
        List<String> cloudProperties = new ArrayList<>();
        for (String config : integration.traitList("mount", "configs")) {
            Path mounted = mount(root, namespace, config, null);
            cloudProperties.add(mounted.toString());
            classpath.add(mounted.toString());
        }
        if (!cloudProperties.isEmpty()) {
            application.put("camel.main.cloud-properties-location", String.join(",", cloudProperties));
        }
        for (String resource : integration.traitList("mount", "resources")) {
            String[] whereTo = resource.split("@", 2);
            classpath.add(mount(root, namespace, whereTo[0], whereTo.length > 1 ? whereTo[1] : null).toString());
        }
        for (String volume : integration.traitList("mount", "volumes")) {
            Path claim = Files.createDirectories(path(root, volume.split(":", 2)[1]));
            classpath.add(claim.toString());
        }
        Files.writeString(etc.resolve("application.properties"), properties(application));
        Map<String, String> user = new LinkedHashMap<>();
        for (String property : integration.traitList("camel", "properties")) {
            String[] keyValue = property.split("=", 2);
            user.put(keyValue[0], keyValue[1]);
        }
        Files.createDirectories(etc.resolve("conf.d"));
        Files.writeString(etc.resolve("conf.d/user.properties"), properties(user));

        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", System.getenv("PATH"));
        environment.put("HOME", Files.createDirectories(path(root, "/home")).toString());
        environment.put("CAMEL_K_VERSION", CamelKBuilder.CAMEL_K_VERSION);
        environment.put("CAMEL_K_OPERATOR_ID", "camel-k");
        environment.put("CAMEL_K_INTEGRATION", integration.name());
        environment.put("CAMEL_K_RUNTIME_VERSION", integration.traitText("camel", "runtimeVersion"));
        environment.put("CAMEL_K_MOUNT_PATH_CONFIGMAPS", path(root, "/etc/camel/conf.d/_configmaps").toString());
        environment.put("CAMEL_K_MOUNT_PATH_SECRETS", path(root, "/etc/camel/conf.d/_secrets").toString());
        environment.put("QUARKUS_CONFIG_LOCATIONS", etc.resolve("application.properties") + "," + etc.resolve("conf.d/user.properties"));
        environment.put("NAMESPACE", "sluice");
        environment.put("POD_NAME", integration.name() + "-0");
        for (String variable : integration.traitList("environment", "vars")) {
            String[] nameValue = variable.split("=", 2);
            environment.put(nameValue[0], value(root, namespace, nameValue[1]));
        }
        int httpPort = FreePort.find();
        environment.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort));

        Path deployments = Files.createDirectories(path(root, "/deployments"));
        Files.createSymbolicLink(deployments.resolve("dependencies"), quarkusApp.toAbsolutePath());
        // the kit's dependency directories (IntegrationKitStatus.GetDependenciesPaths: quarkus/ left out)
        for (String directory : List.of("dependencies/*", "dependencies/app/*", "dependencies/lib/boot/*", "dependencies/lib/main/*")) {
            classpath.add(directory);
        }
        Path log = root.resolve("container.log");
        ProcessBuilder java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", String.join(":", classpath), "io.quarkus.bootstrap.runner.QuarkusEntryPoint")
                .directory(deployments.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        java.environment().clear();
        java.environment().putAll(environment);
        return new CamelKContainer(java.start(), root, log, httpPort, Instant.now());
    }

    /** The host path of a path in the container. */
    static Path path(Path root, String containerPath) {
        return root.resolve(containerPath.replaceFirst("^/+", ""));
    }

    Path path(String containerPath) {
        return path(root, containerPath);
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** Waits for Quarkus' "started in" line; the time from launch until it was seen. */
    Duration awaitStarted(Duration timeout) throws IOException, InterruptedException {
        awaitLog(STARTED, timeout);
        if (startedAfter == null) {
            startedAfter = Duration.between(launched, Instant.now());
        }
        return startedAfter;
    }

    /** Waits until the log matches; fails with the log if the process ends first or the time is up. */
    Matcher awaitLog(Pattern pattern, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            boolean alive = process.isAlive();
            Matcher m = pattern.matcher(log());
            if (m.find()) {
                return m;
            }
            if (!alive) {
                throw new IllegalStateException("the integration exited with " + process.exitValue() + " before '" + pattern + "':\n" + log());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + pattern + "' within " + timeout + ":\n" + log());
    }

    /** Waits for the process to end by itself; its exit code. */
    int awaitExit(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the integration still runs after " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** The route file as the cron trait leaves it: each periodic `from` replaced, its parameters dropped. */
    static String withCronJobFrom(String content) throws IOException {
        JsonNode definitions = YAML.readTree(content);
        for (JsonNode definition : definitions) {
            JsonNode from = definition.path("route").path("from");
            if (from.isMissingNode()) {
                from = definition.path("from");
            }
            String uri = from.path("uri").asText("");
            if (from instanceof ObjectNode node && (uri.startsWith("timer") || uri.startsWith("cron") || uri.startsWith("quartz"))) {
                node.put("uri", CRON_JOB_FROM);
                node.remove("parameters");
            }
        }
        return YAML.writeValueAsString(definitions);
    }

    /** configmap:NAME[/KEY] or secret:NAME[/KEY], one file per key, under where (or the default mount point). */
    private static Path mount(Path root, Namespace namespace, String reference, String where) throws IOException {
        boolean secret = reference.startsWith("secret:");
        String[] nameKey = reference.substring(reference.indexOf(':') + 1).split("/", 2);
        Map<String, String> data = (secret ? namespace.secrets() : namespace.configMaps()).get(nameKey[0]);
        if (data == null) {
            throw new IllegalStateException((secret ? "Secret " : "ConfigMap ") + nameKey[0] + " does not exist in the namespace");
        }
        String defaultPoint = where != null ? where : "/etc/camel/conf.d/" + (secret ? "_secrets/" : "_configmaps/") + nameKey[0];
        Path directory = Files.createDirectories(path(root, defaultPoint));
        for (Map.Entry<String, String> entry : data.entrySet()) {
            if (nameKey.length == 1 || nameKey[1].equals(entry.getKey())) {
                Files.writeString(directory.resolve(entry.getKey()), entry.getValue());
            }
        }
        return directory;
    }

    /** An environment.vars value: configmap:NAME/KEY, secret:NAME/KEY, or plain (a container path is mapped). */
    private static String value(Path root, Namespace namespace, String value) {
        Matcher reference = Pattern.compile("^(configmap|secret):([a-zA-Z0-9][a-zA-Z0-9-]*)/(.+)$").matcher(value);
        if (reference.matches()) {
            boolean secret = reference.group(1).equals("secret");
            Map<String, String> data = (secret ? namespace.secrets() : namespace.configMaps()).get(reference.group(2));
            if (data == null || !data.containsKey(reference.group(3))) {
                throw new IllegalStateException("the pod would not start (CreateContainerConfigError): "
                        + (secret ? "Secret " : "ConfigMap ") + reference.group(2) + " has no key " + reference.group(3));
            }
            return data.get(reference.group(3));
        }
        return value.startsWith("/") ? path(root, value).toString() : value;
    }

    private static String properties(Map<String, String> entries) {
        StringBuilder text = new StringBuilder();
        entries.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        return text.toString();
    }
}
