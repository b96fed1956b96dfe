package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.cli.CliTest.Run;

/**
 * Issue #16's bad inputs, each through the real command line: a non-zero exit, exactly one line on stderr (no stack
 * trace), naming the file (and line) and the problem.
 */
class BadInputTest {
    @TempDir static Path shared;
    static Path tok, store, run, cfg;

    @BeforeAll
    static void fixture() throws Exception {
        Path data = CliTest.corpus(shared);
        tok = shared.resolve("tok.json");
        store = shared.resolve("store");
        String tpl = "{question}\\n{answer}";
        assertEquals(0, CliTest.rho("tokenizer", "train", "--vocab-size", "300", "--input", data.toString(), "--template", tpl, "--out", tok.toString()).code());
        Run p = CliTest.rho("prepare", "--tokenizer", tok.toString(), "--input", data.toString(), "--template", tpl, "--out", store.toString(), "--holdout", "0.1");
        assertEquals(0, p.code(), p.err());
        cfg = shared.resolve("train.yaml");
        Files.writeString(cfg, "preset: tiny\ncontext: 32\nsteps: 2\nwarmup: 1\nmicro_batch: 4\neval_every: 0\nckpt_every: 1\n");
        run = shared.resolve("run");
        Run t = CliTest.rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", run.toString());
        assertEquals(0, t.code(), t.err());
    }

    /** One line on stderr, prefixed by the command, no trace; returns it. */
    static String oneLine(Run r, int code, String command) {
        assertEquals(code, r.code(), r.err());
        String err = r.err().strip();
        String last = err.lines().reduce((a, b) -> b).orElse("");
        assertFalse(err.contains("\tat ") || err.contains("Exception in"), err);
        assertTrue(last.startsWith(command + ": "), err);
        return last;
    }

    static String fails(String command, String... args) { return oneLine(CliTest.rho(args), 2, command); }

    @Test
    void optionRangesAreCheckedWhereTheyAreParsed() {
        String[] base = {"train", "--data", store.toString(), "--out", shared.resolve("x").toString(), "--preset", "tiny"};
        assertTrue(fails("rho train", concat(base, "--micro-batch", "0")).contains("--micro-batch must be at least 1"));
        assertTrue(fails("rho train", concat(base, "--heads", "0")).contains("--heads must be between 1"));
        assertTrue(fails("rho train", concat(base, "--ratio", "1.5")).contains("--ratio must be in (0, 1]"));
        String v = fails("rho tokenizer train", "tokenizer", "train", "--vocab-size", "2000000000", "--input", tok.toString(), "--out", shared.resolve("t.json").toString());
        assertTrue(v.contains("--vocab-size must be between 260 and"), v);
        String bad = fails("rho train", concat(base, "--steps", "abc"));
        assertTrue(bad.contains("--steps") && bad.contains("abc"), bad);
        assertFalse(Files.exists(shared.resolve("x")), "nothing written for a refused command");
    }

    @Test
    void configFilesMustBeYamlOfKnownOptions(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, "steps: 3\nlr: [1, 2\nseed: 4\n");
        String e = fails("rho train", "train", "--config", broken.toString(), "--data", store.toString(), "--out", tmp.resolve("r").toString());
        assertTrue(e.contains("broken.yaml:") && e.contains("not valid YAML"), e);
        Path typo = tmp.resolve("typo.yaml");
        Files.writeString(typo, "preset: tiny\nstpes: 3\n");
        e = fails("rho train", "train", "--config", typo.toString(), "--data", store.toString(), "--out", tmp.resolve("r").toString());
        assertTrue(e.contains("typo.yaml") && e.contains("unknown key 'stpes'") && e.contains("steps"), e);
        e = fails("rho train", "train", "--config", tmp.resolve("none.yaml").toString(), "--data", store.toString(), "--out", tmp.resolve("r").toString());
        assertTrue(e.contains("none.yaml") && e.contains("not found"), e);
    }

    @Test
    void outOfVocabularyIdsAndChangedTokensAreRefused(@TempDir Path tmp) throws Exception {
        Path oov = copyStore(tmp.resolve("oov"));
        poke(oov.resolve("tokens.bin"), 10, (short) 4000); // vocabulary is 300
        String e = fails("rho train", "train", "--config", cfg.toString(), "--data", oov.toString(), "--out", tmp.resolve("r").toString());
        assertTrue(e.contains("tokens.bin: token 10 has id 4000, outside the vocabulary of 300"), e);
        Path changed = copyStore(tmp.resolve("changed"));
        poke(changed.resolve("tokens.bin"), 10, (short) 7);
        e = fails("rho train", "train", "--config", cfg.toString(), "--data", changed.toString(), "--out", tmp.resolve("r2").toString());
        assertTrue(e.contains("tokens.bin: SHA-256") && e.contains("meta.json") && e.contains("rho prepare"), e);
        assertFalse(Files.exists(tmp.resolve("r2/checkpoints")), "refused before training");
    }

    @Test
    void aStoreOfAnotherTokenizerIsRefusedWhereTheModelsIsKnown(@TempDir Path tmp) throws Exception {
        Path data = CliTest.corpus(tmp), tok2 = tmp.resolve("tok2.json"), other = tmp.resolve("other");
        assertEquals(0, CliTest.rho("tokenizer", "train", "--vocab-size", "280", "--input", data.toString(), "--template", "{answer}", "--out", tok2.toString()).code());
        assertEquals(0, CliTest.rho("prepare", "--tokenizer", tok2.toString(), "--input", data.toString(), "--template", "{question}\\n{answer}",
                "--out", other.toString(), "--holdout", "0.1").code());
        String e = fails("rho eval", "eval", "--run", run.toString(), "--data", other.resolve("holdout").toString(), "--windows", "2");
        assertTrue(e.contains("store " + other.resolve("holdout") + " was tokenized with another tokenizer"), e);
        Path r = tmp.resolve("run");
        copyTree(run, r);
        e = fails("rho train", "train", "--config", cfg.toString(), "--data", other.toString(), "--out", r.toString(), "--resume");
        assertTrue(e.contains("--resume: the run " + r + " was trained with another tokenizer"), e);
        e = fails("rho train", "train", "--config", cfg.toString(), "--data", other.toString(), "--out", tmp.resolve("slm").toString(),
                "--objective", "slm", "--reference-run", run.toString());
        assertTrue(e.contains("--reference-run " + run + " was trained with another tokenizer"), e);
    }

    @Test
    void randomBytesInWeightsAreRefusedWithTheFileNamed(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model");
        copyTree(run.resolve("model"), model);
        Path f = model.resolve("model.safetensors");
        long headerEnd;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lb, 0);
            headerEnd = 8 + lb.flip().getLong();
            byte[] junk = new byte[(int) (ch.size() - headerEnd)];
            new Random(5).nextBytes(junk);
            ch.write(ByteBuffer.wrap(junk), headerEnd);
        }
        String e = fails("rho eval", "eval", "--run", model.toString(), "--data", store.resolve("holdout").toString(), "--windows", "2");
        assertTrue(e.contains(f.toString()) && e.contains("NaN or infinite"), e);
    }

    @Test
    void brokenRecordsNameTheirFile(@TempDir Path tmp) throws Exception {
        Path r = tmp.resolve("run");
        copyTree(run, r);
        Files.writeString(r.resolve("run.json"), "{\"config\": {\"maxSteps\": 2,");
        String e = fails("rho info", "info", r.toString());
        assertTrue(e.contains(r.resolve("run.json") + ": not valid JSON"), e);
        copyTree(run, r = tmp.resolve("run2"));
        Path ckpt = rho4j.train.Checkpoint.latest(r);
        Files.writeString(ckpt.resolve("state.json"), "{\"step\": \"two\"}");
        e = fails("rho info", "info", r.toString());
        assertTrue(e.contains(ckpt.resolve("state.json") + ": not valid JSON") && e.contains("older"), e);
        Path scores = tmp.resolve("scores");
        Files.createDirectories(scores);
        Files.writeString(scores.resolve("scores.json"), "[1, 2");
        Files.write(scores.resolve("ref_loss.f32"), new byte[16]);
        e = fails("rho train", "train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("slm").toString(),
                "--objective", "slm", "--scores", scores.toString());
        assertTrue(e.contains(scores.resolve("scores.json") + ": not valid JSON") && e.contains("rho score"), e);
    }

    @Test
    void missingFilesAndLabels(@TempDir Path tmp) {
        String e = fails("rho prepare", "prepare", "--tokenizer", tmp.resolve("nope.json").toString(), "--input", tok.toString(), "--out", tmp.resolve("s").toString());
        assertTrue(e.contains("nope.json") && e.contains("not found"), e);
        e = fails("rho tokenizer train", "tokenizer", "train", "--vocab-size", "300", "--input", tmp.resolve("missing.jsonl").toString(), "--out", tmp.resolve("t.json").toString());
        assertTrue(e.contains("missing.jsonl"), e);
    }

    @Test
    void taskFilesBlameTheLineAtFault(@TempDir Path tmp) throws Exception {
        Path task = tmp.resolve("task.jsonl");
        Files.writeString(task, "{\"question\": \"What is 2 plus 2?\", \"answer\": \"2 + 2 = 4.\\n#### 4\"}\n{\"question\": \"What is 5 plus 1?\"}\n");
        String e = fails("rho eval", "eval", "--run", run.toString(), "--task", task.toString(), "--shots", "0", "--max-new-tokens", "2");
        assertTrue(e.contains("task.jsonl:2:") && e.contains("answer"), e);
        Path utf = tmp.resolve("utf.jsonl");
        byte[] good = "{\"question\": \"What is 2 plus 2?\", \"answer\": \"2 + 2 = 4.\\n#### 4\"}\n".getBytes();
        byte[] bad = "{\"question\": \"caf\u00ff?\", \"answer\": \"#### 4\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(utf, concatBytes(good, good, bad));
        e = fails("rho eval", "eval", "--run", run.toString(), "--task", utf.toString(), "--shots", "0", "--max-new-tokens", "2");
        assertTrue(e.contains("utf.jsonl:3: invalid UTF-8"), e);
    }

    @Test
    void corporaAcceptNothingSilently(@TempDir Path tmp) throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.write(in.resolve("a.txt"), concatBytes("first line\n".getBytes(), new byte[] {'x', (byte) 0xC3, '(', '\n'}, "third\n".getBytes()));
        String e = fails("rho prepare", "prepare", "--tokenizer", tok.toString(), "--input", in.toString(), "--out", tmp.resolve("s").toString());
        assertTrue(e.contains("a.txt:2: invalid UTF-8") && e.contains("--skip-bad"), e);
        Files.writeString(in.resolve("a.txt"), "plain text now\n");
        Files.write(in.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
        Run ok = CliTest.rho("prepare", "--tokenizer", tok.toString(), "--input", in.toString(), "--out", tmp.resolve("s").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("skipping binary file") && ok.err().contains("image.png"), ok.err());
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Files.writeString(empty.resolve("blank.txt"), "\n\n");
        e = fails("rho prepare", "prepare", "--tokenizer", tok.toString(), "--input", empty.toString(), "--out", tmp.resolve("s2").toString());
        assertTrue(e.contains("no documents"), e);
        assertFalse(Files.exists(tmp.resolve("s2")), "no 0-document store");
    }

    @Test
    void pathsStayInsideTheirFolders(@TempDir Path tmp) throws Exception {
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, "name: ../../escape\ndemo: true\n");
        String e = fails("rho run", "run", recipe.toString());
        assertTrue(e.contains("r.yaml") && e.contains("'name'") && e.contains("plain name"), e);
        Path r = tmp.resolve("run");
        copyTree(run, r);
        Files.writeString(r.resolve("latest"), "../../" + shared.getFileName() + "/run/checkpoints/step-000002\n");
        Files.delete(r.resolve("model/model.safetensors")); // so the latest checkpoint is what a load would use
        e = fails("rho info", "info", r.toString());
        assertTrue(e.contains(r.resolve("latest") + ": names") && e.contains("not inside"), e);
    }

    @Test
    void unexpectedErrorsAreOneLineWithTheDebugHint() {
        StringWriter sw = new StringWriter();
        int code = Errors.report(new NullPointerException("boom"), "rho x", new PrintWriter(sw));
        assertEquals(1, code);
        String out = sw.toString().strip();
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("rho x: internal error: java.lang.NullPointerException: boom") && out.contains("RHO_DEBUG=1"), out);
        sw = new StringWriter();
        assertEquals(2, Errors.report(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/a/b")), "rho y", new PrintWriter(sw)));
        assertEquals("rho y: /a/b: not found", sw.toString().strip());
    }

    static Path copyStore(Path to) throws Exception {
        Files.createDirectories(to);
        for (String f : new String[] {"tokens.bin", "docs.bin", "meta.json", "tokenizer.json"}) Files.copy(store.resolve(f), to.resolve(f));
        return to;
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var w = Files.walk(from)) {
            for (Path p : (Iterable<Path>) w::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    static void poke(Path tokens, long index, short id) throws Exception {
        try (FileChannel ch = FileChannel.open(tokens, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(id).flip(), index * 2);
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] concatBytes(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }
}
