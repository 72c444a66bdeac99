package dev.sluice.console;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.camel.quarkus.jolokia.restrictor.CamelJolokiaRestrictor;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.util.HttpMethod;
import org.jolokia.server.core.util.RequestType;

import javax.management.ObjectName;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Jolokia agent's restrictor (quarkus.camel.jolokia.additional-properties."restrictorClass"):
 * Camel Quarkus' domain allowlist (CamelJolokiaRestrictor: org.apache.camel, java.lang, java.nio)
 * narrowed by {@link JolokiaPolicy} — no attribute writes, only reporting operations and route
 * start/stop/suspend/resume, no operation over GET, no notifications — plus loopback clients only
 * and strict origin checking: a request with an Origin (or Referer) is served only when the console
 * proxy has seen that origin as the origin of Sluice's own pages.
 *
 * <p>Jolokia asks isOperationAllowed and then, for the same request on the same thread,
 * isHttpMethodAllowed; that is how an exec over GET is told apart.
 */
@RegisterForReflection
public class JolokiaRestrictor implements Restrictor {

    private static final int MAX_ORIGINS = 64;
    private static final Set<String> TRUSTED_ORIGINS = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Boolean> EXEC_CHECKED = new ThreadLocal<>();

    private final Restrictor domains = new CamelJolokiaRestrictor();

    /** The console proxy found this Origin to be Sluice's own (same host and port as the request's Host). */
    static void trustOrigin(String origin) {
        String canonical = dev.sluice.security.SameOrigin.canonical(origin);
        if (canonical != null && (TRUSTED_ORIGINS.contains(canonical) || TRUSTED_ORIGINS.size() < MAX_ORIGINS)) {
            TRUSTED_ORIGINS.add(canonical);
        }
    }

    @Override
    public boolean isHttpMethodAllowed(HttpMethod method) {
        boolean exec = Boolean.TRUE.equals(EXEC_CHECKED.get());
        EXEC_CHECKED.remove();
        return method == HttpMethod.POST || (method == HttpMethod.GET && !exec);
    }

    @Override
    public boolean isTypeAllowed(RequestType type) {
        return type == RequestType.READ || type == RequestType.LIST || type == RequestType.SEARCH
               || type == RequestType.VERSION || type == RequestType.EXEC;
    }

    @Override
    public boolean isAttributeReadAllowed(ObjectName name, String attribute) {
        return domains.isAttributeReadAllowed(name, attribute);
    }

    @Override
    public boolean isAttributeWriteAllowed(ObjectName name, String attribute) {
        return false;
    }

    @Override
    public boolean isOperationAllowed(ObjectName name, String operation) {
        boolean allowed = domains.isOperationAllowed(name, operation)
                          && JolokiaPolicy.operation(name, operation) != JolokiaPolicy.Access.DENIED;
        if (allowed) {
            // the HTTP method is checked next, on this thread
            EXEC_CHECKED.set(Boolean.TRUE);
        }
        return allowed;
    }

    @Override
    public boolean isRemoteAccessAllowed(String... hostOrAddress) {
        if (hostOrAddress == null || hostOrAddress.length == 0) {
            return false;
        }
        // {address} or {host name, address}: the address decides
        String address = hostOrAddress[hostOrAddress.length - 1];
        if (address == null || !address.matches("[0-9a-fA-F:.%]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public boolean isOriginAllowed(String origin, boolean strictCheck) {
        if (origin == null) {
            // not a browser (curl, the proxy for a client that sent no Origin)
            return true;
        }
        String canonical = dev.sluice.security.SameOrigin.canonical(origin);
        return canonical != null && TRUSTED_ORIGINS.contains(canonical);
    }

    @Override
    public boolean isObjectNameHidden(ObjectName name) {
        return domains.isObjectNameHidden(name);
    }

    /** The agent is reached over http on loopback by the proxy, also for pages served over https by an ingress. */
    @Override
    public boolean ignoreScheme() {
        return true;
    }
}
