package dev.sluice.bucket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A wgrib2 inventory ({@code .idx} sidecar): one line per GRIB message,
 * {@code n:byteOffset:d=YYYYMMDDHH:VAR:level:forecast:}. A message runs from its offset to the next
 * message's offset − 1, the last one to the end of the object.
 */
public final class GribIndex {

    /** Inclusive byte range of the GRIB file, as in an HTTP Range header. */
    public record Range(long first, long last) {
        public long length() {
            return last - first + 1;
        }

        public String header() {
            return "bytes=" + first + "-" + last;
        }
    }

    private record Message(long offset, String variable, String level) {
    }

    private final List<Message> messages = new ArrayList<>();

    public GribIndex(String idx) {
        for (String line : idx.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length < 5 || line.isBlank()) {
                continue;
            }
            messages.add(new Message(Long.parseLong(f[1].strip()), f[3], f[4]));
        }
        messages.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    }

    /**
     * The byte ranges of the messages whose "VAR:level" is {@code parameter}, adjacent ones merged.
     *
     * @param objectSize size of the GRIB file (for the last message)
     */
    public List<Range> ranges(String parameter, long objectSize) {
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (!parameter.equals(m.variable() + ":" + m.level())) {
                continue;
            }
            long last = i + 1 < messages.size() ? messages.get(i + 1).offset() - 1 : objectSize - 1;
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).last() + 1 == m.offset()) {
                ranges.set(ranges.size() - 1, new Range(ranges.get(ranges.size() - 1).first(), last));
            } else {
                ranges.add(new Range(m.offset(), last));
            }
        }
        return ranges;
    }

    /** Ranges per requested parameter, in request order; parameters absent from the file are left out. */
    public Map<String, List<Range>> select(List<String> parameters, long objectSize) {
        Map<String, List<Range>> selected = new LinkedHashMap<>();
        for (String parameter : parameters) {
            List<Range> ranges = ranges(parameter, objectSize);
            if (!ranges.isEmpty()) {
                selected.put(parameter, ranges);
            }
        }
        return selected;
    }
}
