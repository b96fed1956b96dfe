package rho4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A text template such as {@code "{question}\n{answer}"} filled from a JSON object.
 * {@code {name}} is a string field; {@code {meta.x}} looks into nested objects (a key that itself
 * contains the dot wins). {@code {{} and {@code }}} are literal braces. Backslash escapes {@code \n},
 * {@code \t}, {@code \\} are decoded because a shell passes {@code "...\n..."} through literally.
 */
public final class TextTemplate {
    private sealed interface Part permits Literal, Field {}

    private record Literal(String text) implements Part {}

    private record Field(String name) implements Part {}

    private final String source;
    private final List<Part> parts;

    private TextTemplate(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    /** Parses {@code template}; throws IllegalArgumentException naming the position of a syntax error. */
    public static TextTemplate parse(String template) {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            char next = i + 1 < template.length() ? template.charAt(i + 1) : 0;
            if (c == '\\' && next != 0) {
                switch (next) {
                    case 'n' -> lit.append('\n');
                    case 't' -> lit.append('\t');
                    case 'r' -> lit.append('\r');
                    case '\\', '{', '}' -> lit.append(next);
                    default -> lit.append(c).append(next); // unknown escape: keep as written
                }
                i++;
            } else if ((c == '{' && next == '{') || (c == '}' && next == '}')) {
                lit.append(c);
                i++;
            } else if (c == '{') {
                int end = template.indexOf('}', i + 1);
                String name = end < 0 ? "" : template.substring(i + 1, end).strip();
                if (end < 0 || name.isEmpty() || name.contains("{")) {
                    throw new IllegalArgumentException("template \"" + template + "\": unclosed or empty {field} at"
                            + " character " + (i + 1) + " (write {{ for a literal brace)");
                }
                if (!lit.isEmpty()) parts.add(new Literal(lit.toString()));
                lit.setLength(0);
                parts.add(new Field(name));
                i = end;
            } else if (c == '}') {
                throw new IllegalArgumentException("template \"" + template + "\": unmatched } at character " + (i + 1)
                        + " (write }} for a literal brace)");
            } else {
                lit.append(c);
            }
        }
        if (!lit.isEmpty()) parts.add(new Literal(lit.toString()));
        return new TextTemplate(template, List.copyOf(parts));
    }

    /** A template that is just one (non-nested) field, for {@code --field NAME}. */
    public static TextTemplate ofField(String name) {
        return new TextTemplate("{" + name + "}", List.of(new Field(name)));
    }

    /** Fills the template from {@code obj}; throws IllegalArgumentException saying which field is wrong. */
    public String fill(JsonNode obj) {
        if (parts.size() == 1 && parts.get(0) instanceof Field f) return lookup(obj, f.name());
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Literal l) sb.append(l.text());
            else sb.append(lookup(obj, ((Field) p).name()));
        }
        return sb.toString();
    }

    private static String lookup(JsonNode obj, String name) {
        JsonNode v = obj.get(name);
        if (v == null && name.indexOf('.') > 0) {
            v = obj;
            for (String key : name.split("\\.", -1)) {
                v = v != null && v.isObject() ? v.get(key) : null;
            }
        }
        if (v == null) {
            throw new IllegalArgumentException("no field \"" + name + "\" (the object has: " + fieldNames(obj) + ")");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field \"" + name + "\" is " + describe(v) + ", not a string");
        }
        return v.textValue();
    }

    private static String fieldNames(JsonNode obj) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext() && names.size() < 10; ) names.add(it.next());
        return names.isEmpty() ? "no fields" : String.join(", ", names);
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NULL, MISSING -> "null";
            case BINARY -> "binary";
            case STRING -> "a string";
        };
    }

    @Override
    public String toString() {
        return source;
    }
}
