package rho4j.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * A noisy-corpus document: its text is exactly the concatenation of its segments' texts (no separators are added,
 * each segment carries its own trailing newlines), so segment offsets are known exactly.
 */
public record Doc(List<Segment> segments) {
    public Doc {
        segments = List.copyOf(segments);
    }

    public String text() {
        StringBuilder sb = new StringBuilder(length());
        for (Segment s : segments) {
            sb.append(s.text());
        }
        return sb.toString();
    }

    public int length() {
        int n = 0;
        for (Segment s : segments) {
            n += s.text().length();
        }
        return n;
    }

    /** One span per segment, in order, contiguous and covering {@code [0, length())}; useful segments have kind NONE. */
    public List<Span> spans() {
        List<Span> out = new ArrayList<>(segments.size());
        int pos = 0;
        for (Segment s : segments) {
            int end = pos + s.text().length();
            out.add(new Span(pos, end, s.kind()));
            pos = end;
        }
        return out;
    }
}
