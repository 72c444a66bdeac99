package dev.sluice.console;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a Jolokia request may do, decided the same way by the proxy at /hawtio/jolokia (before a
 * request is forwarded) and by the agent's restrictor (JolokiaRestrictor, for whatever reaches the
 * agent): reading (read, list, search, version, and operations that only report: dump…, list…,
 * browse…, get…, is…, can…) is READ; starting, stopping, suspending and resuming a Camel route is
 * WRITE; everything else is DENIED to everyone — attribute writes, notifications, and operations
 * that send messages, create endpoints, add or remove routes, stop the Camel context, dump the heap.
 */
public final class JolokiaPolicy {

    /** What a request needs: a reader may READ, the console user may READ and WRITE, nobody may do DENIED. */
    public enum Access { READ, WRITE, DENIED }

    public record Verdict(Access access, String reason) {

        static Verdict denied(String reason) {
            return new Verdict(Access.DENIED, reason);
        }
    }

    private static final Set<String> READ_TYPES = Set.of("read", "list", "search", "version");
    private static final Pattern REPORTING = Pattern.compile("(dump|list|browse|get|is|can)([A-Z0-9_].*)?");
    /** reporting by name only: canSendToEndpoint creates the endpoint it asks about, dumpHeap writes a file */
    private static final Set<String> NOT_REPORTING = Set.of("canSendToEndpoint", "dumpHeap");
    /** the MBeans Jolokia shows at all (quarkus.camel.jolokia.camel-restrictor-allowed-mbean-domains' defaults) */
    private static final Set<String> DOMAINS = Set.of("org.apache.camel", "java.lang", "java.nio");
    private static final Set<String> ROUTE_CONTROL = Set.of("start", "stop", "suspend", "resume");
    /** no duplicate keys, nothing after the request: one reading only */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JolokiaPolicy() {
    }

    /** An exec of {@code operation} (a name, or a name with its signature) on {@code mbean}. */
    public static Access operation(ObjectName mbean, String operation) {
        if (mbean == null || operation == null || !DOMAINS.contains(mbean.getDomain())) {
            return Access.DENIED;
        }
        int paren = operation.indexOf('(');
        String name = (paren < 0 ? operation : operation.substring(0, paren)).trim();
        if (REPORTING.matcher(name).matches() && !NOT_REPORTING.contains(name)) {
            return Access.READ;
        }
        if (ROUTE_CONTROL.contains(name) && !mbean.isPattern() && "org.apache.camel".equals(mbean.getDomain())
            && "routes".equals(mbean.getKeyProperty("type"))) {
            return Access.WRITE;
        }
        return Access.DENIED;
    }

    /** A POST body: one request (a JSON object) or a bulk request (an array of them); the strictest need wins. */
    public static Verdict post(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (IOException e) {
            return Verdict.denied("the body is not one JSON request or an array of them");
        }
        if (tree == null || tree.isMissingNode()) {
            return Verdict.denied("the body is empty");
        }
        if (tree.isObject()) {
            return request(tree);
        }
        if (!tree.isArray() || tree.isEmpty()) {
            return Verdict.denied("the body is not one JSON request or an array of them");
        }
        Verdict strictest = new Verdict(Access.READ, null);
        for (JsonNode one : tree) {
            Verdict verdict = request(one);
            if (verdict.access().compareTo(strictest.access()) > 0) {
                strictest = verdict;
            }
        }
        return strictest;
    }

    /** A GET: /read/…, /list/…, /search/…, /version only (an operation is never run over GET). */
    public static Verdict get(String path, List<String> pathParameters) {
        if (pathParameters.size() > 1) {
            return Verdict.denied("more than one p parameter");
        }
        Verdict verdict = getPath(path);
        if (verdict.access() == Access.READ && pathParameters.size() == 1) {
            // Jolokia takes the request from ?p= when it is there
            verdict = getPath(pathParameters.get(0));
        }
        return verdict;
    }

    private static Verdict getPath(String path) {
        String rest = path == null ? "" : path.replaceFirst("^/+", "");
        String type = (rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest).toLowerCase(Locale.ROOT);
        if (type.isEmpty() || READ_TYPES.contains(type)) {
            return new Verdict(Access.READ, null);
        }
        return Verdict.denied("only read, list, search and version requests are accepted over GET (" + type + " needs POST, if it is allowed at all)");
    }

    private static Verdict request(JsonNode request) {
        if (!request.isObject() || !request.path("type").isTextual()) {
            return Verdict.denied("a request without a type");
        }
        String type = request.path("type").asText().toLowerCase(Locale.ROOT);
        if (READ_TYPES.contains(type)) {
            return new Verdict(Access.READ, null);
        }
        if (!type.equals("exec")) {
            return Verdict.denied("Jolokia '" + type + "' requests are not allowed");
        }
        if (!request.path("mbean").isTextual() || !request.path("operation").isTextual()) {
            return Verdict.denied("an exec request names one MBean and one operation");
        }
        String operation = request.path("operation").asText();
        ObjectName mbean;
        try {
            mbean = new ObjectName(request.path("mbean").asText());
        } catch (MalformedObjectNameException e) {
            return Verdict.denied("'" + request.path("mbean").asText() + "' is not an MBean name");
        }
        Access access = operation(mbean, operation);
        return access == Access.DENIED
                ? Verdict.denied("operation '" + operation + "' is not allowed (only reporting operations, and starting, stopping, suspending and resuming routes)")
                : new Verdict(access, "operation '" + operation + "'");
    }

    /** The request re-written as Jackson read it: the agent parses exactly what was checked. */
    public static byte[] canonical(byte[] body) throws IOException {
        return JSON.writeValueAsBytes(JSON.readTree(body));
    }
}
