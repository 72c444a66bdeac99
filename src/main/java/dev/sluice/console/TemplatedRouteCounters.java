package dev.sluice.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets Hawtio count the steps of routes made from a route template (every ingest-&lt;source&gt;).
 * Hawtio 1.11.1 draws a route from the context's dumpRoutesAsXml and finds each node's counter in
 * dumpRoutesStatsAsXml by the node's id. Camel gives a templated route a node prefix
 * (nodePrefixId="route-1"): its processors are counted as "route-1bean71" while the XML says
 * id="bean71", so each of its steps showed 0. In the XML Hawtio is served, every element of such a
 * route gets a _cid attribute, the prefixed id (Hawtio matches the statistics by _cid when there is
 * one); its id, which Hawtio labels the node with, stays as written.
 */
final class TemplatedRouteCounters {

    static final String OPERATION = "dumpRoutesAsXml";
    private static final Pattern PREFIXED_ROUTE = Pattern.compile("<route\\s[^>]*\\bnodePrefixId=\"([^\"]+)\"[^>]*>");
    private static final Pattern ID = Pattern.compile("(<[A-Za-z][\\w.:-]*\\s(?:[^>]*?\\s)?)id=\"([^\"]*)\"");

    private TemplatedRouteCounters() {
    }

    /** The Jolokia answer (one response or a bulk of them) with the routes XML of each dumpRoutesAsXml marked up. */
    static Buffer inAnswer(Buffer answer) {
        try {
            Object decoded = Json.decodeValue(answer);
            boolean changed = false;
            if (decoded instanceof JsonArray bulk) {
                for (Object response : bulk) {
                    changed |= response instanceof JsonObject single && mark(single);
                }
            } else if (decoded instanceof JsonObject single) {
                changed = mark(single);
            }
            return changed ? Buffer.buffer(Json.encode(decoded)) : answer;
        } catch (RuntimeException notJson) {
            return answer;
        }
    }

    private static boolean mark(JsonObject response) {
        JsonObject request = response.getJsonObject("request");
        String operation = request == null ? null : String.valueOf(request.getValue("operation"));
        if (operation == null || !operation.startsWith(OPERATION) || !(response.getValue("value") instanceof String xml)
            || !xml.contains("nodePrefixId")) {
            return false;
        }
        response.put("value", inXml(xml));
        return true;
    }

    static String inXml(String xml) {
        StringBuilder marked = new StringBuilder();
        Matcher route = PREFIXED_ROUTE.matcher(xml);
        int done = 0;
        while (route.find()) {
            int end = xml.indexOf("</route>", route.end());
            end = end < 0 ? xml.length() : end;
            marked.append(xml, done, route.end());
            String prefix = route.group(1);
            Matcher id = ID.matcher(xml.substring(route.end(), end));
            StringBuilder steps = new StringBuilder();
            while (id.find()) {
                id.appendReplacement(steps, Matcher.quoteReplacement(
                        id.group(1) + "id=\"" + id.group(2) + "\" _cid=\"" + prefix + id.group(2) + "\""));
            }
            id.appendTail(steps);
            marked.append(steps);
            done = end;
        }
        return marked.append(xml.substring(done)).toString();
    }
}
