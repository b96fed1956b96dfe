package rho4j.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict reader over one YAML mapping: every key must be read (or named as known) before {@link #done()}, so a typo
 * like {@code budget.stpes} fails loudly instead of silently keeping a default. Errors name the file and the full key.
 */
final class YamlFields {
    private final Path file;
    private final String prefix;
    private final Map<String, Object> map;
    private final Set<String> known = new LinkedHashSet<>();

    YamlFields(Path file, String prefix, Object node) {
        this.file = file;
        this.prefix = prefix;
        if (node != null && !(node instanceof Map)) throw error(prefix.isEmpty() ? "(top level)" : prefix.substring(0, prefix.length() - 1),
                "must be a mapping, got " + describe(node));
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (node != null) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                if (e.getKey() instanceof Map || e.getKey() instanceof List || e.getKey() == null)
                    throw error(prefix + describe(e.getKey()), "is not a plain key name");
                m.put(e.getKey().toString(), e.getValue());
            }
        }
        this.map = m;
    }

    IllegalArgumentException error(String key, String why) {
        return new IllegalArgumentException(file + ": key '" + key + "' " + why);
    }

    private String full(String key) { return prefix + key; }

    boolean has(String key) {
        known.add(key);
        return map.containsKey(key) && map.get(key) != null;
    }

    /** Whether the value at {@code key} is a mapping (a section) rather than a single value. */
    boolean isSection(String key) {
        known.add(key);
        return map.get(key) instanceof Map;
    }

    /** A list of integers; a single integer is accepted as a one-element list. */
    List<Long> integers(String key) {
        List<Long> out = new ArrayList<>();
        for (String s : strings(key)) {
            try {
                out.add(Long.parseLong(s.replace("_", "")));
            } catch (NumberFormatException e) {
                throw error(full(key), "must list integers, got " + describe(s));
            }
        }
        return out;
    }

    YamlFields section(String key) {
        known.add(key);
        return new YamlFields(file, full(key) + ".", map.get(key));
    }

    String string(String key, String dflt) {
        known.add(key);
        Object v = map.get(key);
        if (v == null) return dflt;
        if (v instanceof Map || v instanceof List) throw error(full(key), "must be a single value, got " + describe(v));
        return v.toString();
    }

    long integer(String key, long dflt) {
        String s = string(key, null);
        if (s == null) return dflt;
        try {
            return Long.parseLong(s.replace("_", ""));
        } catch (NumberFormatException e) {
            throw error(full(key), "must be an integer, got " + describe(s));
        }
    }

    /** An integer that must fit an int (a value like 99999999999 would otherwise wrap around). */
    int int32(String key, int dflt) {
        long v = integer(key, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw error(full(key), "is out of range (at most " + Integer.MAX_VALUE + "), got " + v);
        return (int) v;
    }

    double number(String key, double dflt) {
        String s = string(key, null);
        if (s == null) return dflt;
        try {
            double v = Double.parseDouble(s.replace("_", ""));
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw error(full(key), "must be a finite number, got " + describe(s));
        }
    }

    boolean bool(String key, boolean dflt) {
        String s = string(key, null);
        if (s == null) return dflt;
        return switch (s.toLowerCase()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(full(key), "must be true or false, got " + describe(s));
        };
    }

    /** A list of strings; a single string is accepted as a one-element list. */
    List<String> strings(String key) {
        known.add(key);
        Object v = map.get(key);
        if (v == null) return List.of();
        if (v instanceof List<?> l) {
            List<String> out = new ArrayList<>();
            for (Object o : l) {
                if (o instanceof Map || o instanceof List) throw error(full(key), "must list plain values, got " + describe(o));
                out.add(o.toString());
            }
            return out;
        }
        if (v instanceof Map) throw error(full(key), "must be a list, got " + describe(v));
        return List.of(v.toString());
    }

    /** Rejects keys nobody asked for. */
    void done() {
        for (String k : map.keySet()) {
            if (!known.contains(k)) throw error(full(k), "is unknown; known keys here: " + known);
        }
    }

    private static String describe(Object o) {
        if (o instanceof Map) return "a mapping";
        if (o instanceof List) return "a list";
        String s = String.valueOf(o).replace("\n", "\\n").replace("\r", "\\r");
        return "'" + (s.length() > 80 ? s.substring(0, 77) + "..." : s) + "'";
    }
}
