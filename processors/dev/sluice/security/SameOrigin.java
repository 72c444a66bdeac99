package dev.sluice.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Whether a browser request comes from a page of Sluice itself. A request is cross-origin when it
 * says so (Sec-Fetch-Site: cross-site) or when its Origin (scheme://host:port) names another host
 * or port than the Host it was sent to. The scheme only supplies the default port: behind a
 * TLS-terminating proxy the page is https while Sluice is reached over http, on the same host.
 */
public final class SameOrigin {

    private SameOrigin() {
    }

    /**
     * @param origin        the Origin header, or null
     * @param secFetchSite  the Sec-Fetch-Site header, or null
     * @param host          the Host header (host[:port]), or null
     */
    public static boolean crossOrigin(String origin, String secFetchSite, String host) {
        if (secFetchSite != null && secFetchSite.trim().equalsIgnoreCase("cross-site")) {
            return true;
        }
        return origin != null && !sameOrigin(origin, host);
    }

    /** An Origin header value names the host and port of the Host header ("null" and anything malformed never do). */
    public static boolean sameOrigin(String origin, String host) {
        if (origin == null || host == null || host.isBlank()) {
            return false;
        }
        URI page = parse(origin.trim());
        if (page == null || page.getScheme() == null || page.getRawUserInfo() != null || page.getRawQuery() != null
            || page.getRawFragment() != null || !(page.getRawPath() == null || page.getRawPath().isEmpty())) {
            return false;
        }
        String scheme = page.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return false;
        }
        URI target = parse(scheme + "://" + host.trim());
        if (target == null || target.getRawUserInfo() != null || !(target.getRawPath() == null || target.getRawPath().isEmpty())
            || target.getRawQuery() != null) {
            return false;
        }
        return page.getHost() != null && target.getHost() != null && page.getHost().equalsIgnoreCase(target.getHost())
               && port(page, scheme) == port(target, scheme);
    }

    /** scheme://host:port of an Origin header, lower case and with its port, or null when it is not an http(s) origin. */
    public static String canonical(String origin) {
        URI page = origin == null ? null : parse(origin.trim());
        if (page == null || page.getScheme() == null || page.getHost() == null) {
            return null;
        }
        String scheme = page.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        return scheme + "://" + page.getHost().toLowerCase(Locale.ROOT) + ":" + port(page, scheme);
    }

    private static int port(URI uri, String scheme) {
        return uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    }

    private static URI parse(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
