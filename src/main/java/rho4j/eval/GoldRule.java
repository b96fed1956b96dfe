package rho4j.eval;

import java.util.Locale;

/**
 * Where a task's gold answer lives, written {@code type:argument} in layouts:
 * {@code after:####} (text after the marker in the solution field, GSM8K), {@code field:answer} (a field as is),
 * {@code boxed:solution} (last \boxed{} of a field, MATH), {@code index:answer} (0-based option index),
 * {@code letter:answer} (option letter "A", "B", ...).
 */
public record GoldRule(Type type, String argument) {
    public enum Type { AFTER, FIELD, BOXED, INDEX, LETTER }

    public GoldRule {
        if (type == null || argument == null || argument.isBlank()) {
            throw new IllegalArgumentException("gold rule needs a type and an argument, e.g. field:answer");
        }
    }

    /** Parses "after:####", "field:answer", ...; the message lists the accepted forms. */
    public static GoldRule parse(String spec) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("gold rule '" + spec
                    + "' is not TYPE:ARG; use after:####, field:NAME, boxed:NAME, index:NAME or letter:NAME");
        }
        String t = spec.substring(0, colon).strip().toUpperCase(Locale.ROOT);
        try {
            return new GoldRule(Type.valueOf(t), spec.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gold rule '" + spec
                    + "' has unknown type; use after, field, boxed, index or letter", e);
        }
    }

    /** True for the rules that pick one of the options rather than a free-form answer. */
    public boolean picksOption() {
        return type == Type.INDEX || type == Type.LETTER;
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(Locale.ROOT) + ":" + argument;
    }
}
