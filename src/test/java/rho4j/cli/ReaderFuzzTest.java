package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import rho4j.data.CorpusException;
import rho4j.data.CorpusOptions;
import rho4j.data.CorpusReader;
import rho4j.pipeline.Recipe;

/**
 * Mutation fuzzing of the readers users feed files to: JSONL corpora, recipe YAML and --config YAML. Each mutated file
 * either loads or fails with one line that names the file; any other exception, a multi-line message or a hang fails.
 */
class ReaderFuzzTest {
    static final int FILES = 2000;
    @TempDir Path dir;

    interface Load {
        void run(Path file) throws Exception;
    }

    /** Byte-level mutations: insert, delete, replace, duplicate a slice; inserted bytes include invalid UTF-8, NUL, newlines. */
    static byte[] mutate(byte[] seed, Random rnd, byte[][] tokens) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        byte[] cur = seed;
        for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
            int at = rnd.nextInt(cur.length + 1);
            o.reset();
            o.write(cur, 0, at);
            switch (rnd.nextInt(5)) {
                case 0 -> o.writeBytes(tokens[rnd.nextInt(tokens.length)]);
                case 1 -> o.write(rnd.nextInt(256));
                case 2 -> { if (at < cur.length) at++; }
                case 3 -> { int n = Math.min(cur.length - at, rnd.nextInt(40)); o.write(cur, at, n); }
                default -> { o.write(rnd.nextInt(256)); if (at < cur.length) at++; }
            }
            o.write(cur, at, cur.length - at);
            cur = o.toByteArray();
        }
        return cur;
    }

    void fuzz(String what, String seedText, String[] tokenTexts, String name, Load load) throws Exception {
        byte[] seed = seedText.getBytes(StandardCharsets.UTF_8);
        byte[][] tokens = new byte[tokenTexts.length + 3][];
        for (int i = 0; i < tokenTexts.length; i++) tokens[i] = tokenTexts[i].getBytes(StandardCharsets.UTF_8);
        tokens[tokenTexts.length] = new byte[] {(byte) 0xC3};
        tokens[tokenTexts.length + 1] = new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}; // a UTF-8 surrogate
        tokens[tokenTexts.length + 2] = new byte[] {0};
        Random rnd = new Random(what.hashCode());
        Path f = dir.resolve(name);
        int[] ok = new int[2];
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            for (int i = 0; i < FILES; i++) {
                byte[] b = mutate(seed, rnd, tokens);
                Files.write(f, b);
                try {
                    load.run(f);
                    ok[0]++;
                } catch (IllegalArgumentException | IllegalStateException | CorpusException | IOException | UncheckedIOException e) {
                    String msg = String.valueOf(e.getMessage());
                    if (!msg.contains(f.toString()) || msg.contains("\n"))
                        fail(what + ": not one line naming the file for\n" + new String(b, StandardCharsets.UTF_8) + "\n-> " + e);
                    ok[1]++;
                } catch (Throwable e) {
                    fail(what + ": " + e + " for\n" + new String(b, StandardCharsets.UTF_8), e);
                }
            }
        });
        System.err.printf("%s fuzz: %d files, %d loaded, %d refused, %.1f s%n", what, FILES, ok[0], ok[1], (System.nanoTime() - t0) / 1e9);
        assertTrue(ok[0] > 0 && ok[1] > 0, what + ": the mutations reach both outcomes");
    }

    @Test
    void jsonlCorpora() throws Exception {
        String seed = "{\"question\": \"What is 2 plus 2?\", \"answer\": \"4\", \"n\": 3}\n"
                + "{\"question\": \"caf\u00e9 \u00fcber \u4e2d\u6587 \\u00e9 \\ud83d\\ude00\", \"answer\": \"[1, 2]\", \"extra\": {\"a\": [1, 2.5e3, null]}}\n\n"
                + "{\"question\": \"tab\\tand \\\"quotes\\\"\", \"answer\": \"yes\"}\r\n";
        String[] tokens = {"{", "}", "[", "]", "\"", ",", ":", "\\", "\\u", "\n", "\r", "null", "1e999", "-", "[[[[[[[[[[[[[[[[", "\"question\"", "\"answer\""};
        int[] k = {0};
        fuzz("jsonl", seed, tokens, "c.jsonl", f -> {
            boolean skip = k[0]++ % 2 == 1;
            new CorpusReader(List.of(f), CorpusOptions.defaults().withTemplate("{question}\n{answer}").withSkipBad(skip)).forEach(d -> { });
        });
    }

    @Test
    void recipes() throws Exception {
        String seed = Files.readString(Path.of("recipes/example.yaml"));
        String[] tokens = {":", ": ", "- ", "\n", "  ", "\t", "{", "}", "[", "]", "'", "\"", "#", "&a ", "*a", "!!binary ", "!!python/object ", "? ",
                "|", ">", "~", "null", "-1", "99999999999", "1e999", ".nan", "name: ../x\n", "steps: 0\n", "ratio: 7\n", "\u00e9"};
        fuzz("recipe", seed, tokens, "r.yaml", f -> Recipe.load(f));
    }

    @Test
    void configFiles() throws Exception {
        String seed = "preset: tiny\ncontext: 32\nsteps: 6\nwarmup: 2\nmicro_batch: 4\nlr: 6e-4\ndump_steps: [1, 2]\nobjective: slm\n";
        String[] tokens = {":", ": ", "- ", "\n", "  ", "\t", "{", "}", "[", "]", "'", "\"", "#", "&a ", "*a", "!!binary ", "!!java.io.File ", "? ",
                "stpes: 3\n", "config: x\n", "~", "null", "\u00e9"};
        CommandLine cli = new CommandLine(new Main());
        fuzz("config", seed, tokens, "c.yaml", f -> {
            String[] args = {"train", "--config", f.toString(), "--data", "d", "--out", "o"};
            Main.ConfigDefaults.from(args, cli);
        });
    }
}
