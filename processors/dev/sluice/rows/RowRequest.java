package dev.sluice.rows;

import dev.sluice.api.BadRequestException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request under /datasets/{name}/rows names, read from its raw URI: the dataset, the natural
 * key's path segments, and the query parameters.
 *
 * <p>Read from the URI rather than from Camel's headers because the headers mix path and query: a
 * filter on a column called {@code name} (the datasets dataset has one) would land in the same
 * header as the path's {name}, and a key of any length is then just the segments after /rows/.
 *
 * @param dataset the declared dataset's name
 * @param key     the decoded path segments after /rows/ (empty for the collection)
 * @param query   query parameters, decoded; a parameter given twice holds a list (which
 *                {@link dev.sluice.api.QueryParameters} refuses with a 400)
 */
public record RowRequest(String dataset, List<String> key, Map<String, Object> query) {

    private static final String BASE = "/datasets/";

    public static RowRequest of(String uri) {
        if (uri == null) {
            throw new IllegalStateException("no request URI (CamelHttpUri)");
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? null : uri.substring(q + 1);
        int start = path.indexOf(BASE);
        if (start < 0) {
            throw new IllegalStateException("not a dataset URI: " + path);
        }
        List<String> segments = new ArrayList<>(List.of(path.substring(start + BASE.length()).split("/", -1)));
        if (segments.size() > 1 && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        String dataset = segment(segments.get(0));
        List<String> key = new ArrayList<>();
        for (int i = 2; i < segments.size(); i++) {
            key.add(segment(segments.get(i)));
        }
        return new RowRequest(dataset, List.copyOf(key), query(rawQuery));
    }

    /** A path segment: percent-decoded, with '+' kept as a plus (an offset like +07:00), not a space. */
    static String segment(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed path segment '" + raw + "'");
        }
    }

    static Map<String, Object> query(String rawQuery) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.merge(name, value, (first, second) -> {
                List<Object> all = new ArrayList<>(first instanceof List<?> list ? list : List.of(first));
                all.add(second);
                return all;
            });
        }
        return parameters;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("malformed query parameter '" + raw + "'");
        }
    }
}
