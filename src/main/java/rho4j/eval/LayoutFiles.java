package rho4j.eval;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a {@link TaskLayout} from a small YAML or JSON file (JSON is read as YAML), for example:
 * <pre>
 * name: gsm8k_train
 * kind: generate            # or choice
 * question: question
 * solution: answer          # optional
 * gold: after:####          # after:MARK | field:F | boxed:F | index:F | letter:F
 * choices: options          # choice tasks: list field or "A) .. B) .." text; omit for options inside the question
 * continuation: text        # choice tasks: text | letter
 * id: idx                   # optional
 * </pre>
 * {@code base: NAME} starts from a built-in layout and overrides only the keys given.
 */
public final class LayoutFiles {
    private LayoutFiles() {}

    private static final Set<String> KEYS = Set.of("name", "base", "kind", "question", "solution", "gold", "choices",
            "continuation", "id");

    public static TaskLayout read(Path file) {
        Object doc;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException(file + ":" + (e.getProblemMark().getLine() + 1) + ": invalid YAML/JSON ("
                    + e.getProblem() + "); fix the layout file", e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": invalid YAML/JSON (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading layout " + file + ": " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ":1: a layout is a mapping of keys " + new TreeSet<>(KEYS));
        }
        for (Object k : map.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) throw new IllegalArgumentException(file + ": unknown key '" + k
                    + "'; allowed keys are " + new TreeSet<>(KEYS));
        }
        try {
            return fromMap(map);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static TaskLayout fromMap(Map<?, ?> m) {
        TaskLayout base = m.containsKey("base") ? TaskLayout.builtIn(str(m, "base")) : null;
        String name = m.containsKey("name") ? str(m, "name") : base != null ? base.name() : null;
        if (name == null) throw new IllegalArgumentException("missing key 'name'");
        TaskLayout.Kind kind = m.containsKey("kind") ? TaskLayout.Kind.parse(str(m, "kind"))
                : base != null ? base.kind() : null;
        if (kind == null) throw new IllegalArgumentException("missing key 'kind' (generate or choice)");
        String question = pick(m, "question", base == null ? null : base.questionField());
        if (question == null) throw new IllegalArgumentException("missing key 'question'");
        String gold = pick(m, "gold", base == null ? null : base.gold().toString());
        if (gold == null) throw new IllegalArgumentException("missing key 'gold' (e.g. field:answer)");
        String cont = pick(m, "continuation", base == null ? null : base.continuation().label());
        return new TaskLayout(name, kind, question, pick(m, "solution", base == null ? null : base.solutionField()),
                GoldRule.parse(gold), pick(m, "choices", base == null ? null : base.choicesField()),
                cont == null ? TaskLayout.Continuation.TEXT : TaskLayout.Continuation.parse(cont),
                pick(m, "id", base == null ? null : base.idField()));
    }

    private static String pick(Map<?, ?> m, String key, String fallback) {
        return m.containsKey(key) ? str(m, key) : fallback;
    }

    private static String str(Map<?, ?> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v).strip();
    }
}
