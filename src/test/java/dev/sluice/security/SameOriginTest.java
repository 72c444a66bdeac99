package dev.sluice.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameOriginTest {

    @Test
    void theOriginMustNameTheHostAndPortTheRequestWentTo() {
        assertTrue(SameOrigin.sameOrigin("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assertTrue(SameOrigin.sameOrigin("http://LOCALHOST:8080", "localhost:8080"));
        assertTrue(SameOrigin.sameOrigin("https://sluice.example.com", "sluice.example.com"));
        assertTrue(SameOrigin.sameOrigin("http://sluice.example.com", "sluice.example.com:80"));
        assertTrue(SameOrigin.sameOrigin("http://[::1]:8080", "[::1]:8080"));
        assertFalse(SameOrigin.sameOrigin("http://localhost:8081", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("https://evil.example", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("http://localhost.evil.example:8080", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("null", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("file://", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("http://localhost:8080", null));
        assertFalse(SameOrigin.sameOrigin("http://user@localhost:8080", "localhost:8080"));
        assertFalse(SameOrigin.sameOrigin("http://localhost:8080", "localhost:8080/x"));
    }

    @Test
    void crossSiteIsWhatTheBrowserSaysOrAnotherOrigin() {
        assertFalse(SameOrigin.crossOrigin(null, null, "localhost:8080"), "not a browser");
        assertFalse(SameOrigin.crossOrigin("http://localhost:8080", "same-origin", "localhost:8080"));
        assertTrue(SameOrigin.crossOrigin(null, "cross-site", "localhost:8080"));
        assertTrue(SameOrigin.crossOrigin("http://localhost:8080", "Cross-Site", "localhost:8080"));
        assertTrue(SameOrigin.crossOrigin("https://evil.example", null, "localhost:8080"));
    }

    @Test
    void originsAreComparedInOneForm() {
        assertEquals("http://localhost:8080", SameOrigin.canonical("HTTP://LocalHost:8080"));
        assertEquals("https://sluice.example.com:443", SameOrigin.canonical("https://sluice.example.com"));
        assertEquals("http://localhost:8080", SameOrigin.canonical("http://localhost:8080/hawtio/camel/routes"));
        assertNull(SameOrigin.canonical("null"));
        assertNull(SameOrigin.canonical("ftp://x"));
    }
}
