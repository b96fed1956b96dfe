package rho4j.cli;

import rho4j.engine.Engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.data.TokenStore;
import rho4j.util.Json;

/** The command line end to end on a small corpus: the commands chain, and bad input is one clear line. */
class CliTest {
    record Run(int code, String out, String err) {}

    static Run rho(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
        try {
            return new Run(Main.execute(args), bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    static Path corpus(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++)
            sb.append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new java.util.TreeMap<>(java.util.Map.of("question", "What is " + i + " plus " + (i % 7) + "?",
                    "answer", i + " + " + (i % 7) + " = " + (i + i % 7) + ". The answer is " + (i + i % 7) + ".")))).append('\n');
        Path f = dir.resolve("qa.jsonl");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void tokenizerPrepareTrainScoreSlmInfoChain(@TempDir Path tmp) throws Exception {
        Path data = corpus(tmp), tok = tmp.resolve("tok.json"), store = tmp.resolve("store");
        String tpl = "{question}\\n{answer}";
        assertEquals(0, rho("tokenizer", "train", "--vocab-size", "300", "--input", data.toString(), "--template", tpl, "--out", tok.toString()).code());
        Run p = rho("prepare", "--tokenizer", tok.toString(), "--input", data.toString(), "--template", tpl, "--out", store.toString(), "--holdout", "0.1");
        assertEquals(0, p.code(), p.err());
        assertTrue(Files.exists(store.resolve("tokenizer.json")) && Files.exists(store.resolve("holdout/meta.json")));
        Path cfg = tmp.resolve("train.yaml");
        Files.writeString(cfg, "preset: tiny\ncontext: 32\nsteps: 6\nwarmup: 2\nmicro_batch: 4\neval_every: 3\nckpt_every: 3\nlog_every: 3\n");
        Run ref = rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("ref").toString());
        assertEquals(0, ref.code(), ref.err());
        assertTrue(ref.err().contains("val loss"), "evaluates on DATA/holdout by default: " + ref.err());
        Run sc = rho("score", "--run", tmp.resolve("ref").toString(), "--data", store.toString(), "--out", tmp.resolve("scores").toString(), "--entropy");
        assertEquals(0, sc.code(), sc.err());
        Run slm = rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("slm").toString(),
                "--objective", "slm", "--scores", tmp.resolve("scores").toString(), "--ratio", "0.5", "--score", "excess+entropy", "--scope", "batch");
        assertEquals(0, slm.code(), slm.err());
        try (TokenStore s = TokenStore.open(store)) {
            long seen = 6L * 4 * 32;
            assertTrue(slm.out().contains(seen + " tokens seen"), slm.out());
        }
        Run info = rho("info", store.toString(), tok.toString(), tmp.resolve("slm").toString(), tmp.resolve("scores").toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("objective slm") && info.out().contains("BPE (byte-level), 300 ids") && info.out().contains("documents in a store: text <|endoftext|>") && info.out().contains("storeTokensSha256"), info.out());
        Run engine = rho("info"); // no path: the engine, with the BLAS this process actually loaded
        assertEquals(0, engine.code(), engine.err());
        assertTrue(engine.out().contains("libtorch 2.") && engine.out().contains(rho4j.engine.Engine.blas() == rho4j.engine.Engine.Blas.OPENMP
                ? rho4j.engine.Engine.blasLibrary() : "bundled OpenBLAS"), engine.out());
        Run gen = rho("generate", "--run", tmp.resolve("slm").toString(), "--prompt", "What is 3 plus 3?", "--max-new-tokens", "5");
        assertEquals(0, gen.code(), gen.err());
        // Evaluating the same run twice gives identical numbers.
        Path task = tmp.resolve("task.jsonl");
        Files.writeString(task, "{\"question\": \"What is 2 plus 2?\", \"answer\": \"2 + 2 = 4.\\n#### 4\"}\n"
                + "{\"question\": \"What is 5 plus 1?\", \"answer\": \"5 + 1 = 6.\\n#### 6\"}\n");
        String[] eval = {"eval", "--run", tmp.resolve("slm").toString(), "--task", task.toString(), "--shots", "1", "--max-new-tokens", "8",
                "--data", store.resolve("holdout").toString(), "--windows", "4"};
        Run e1 = rho(eval);
        assertEquals(0, e1.code(), e1.err());
        String first = Files.readString(tmp.resolve("slm/eval.json"));
        assertEquals(0, rho(eval).code());
        assertEquals(first, Files.readString(tmp.resolve("slm/eval.json")));
        assertTrue(first.contains("downstream_loss") && first.contains("heldout:holdout"), first);
        Run dyn = rho("dynamics", "--runs", tmp.resolve("ref").toString(), "--data", store.resolve("holdout").toString(), "--out", tmp.resolve("dyn").toString(),
                "--windows", "4");
        assertEquals(0, dyn.code(), dyn.err());
        assertTrue(dyn.out().contains("H->L") && Files.exists(tmp.resolve("dyn/dynamics.json")), dyn.out());
        Run report = rho("report", tmp.resolve("ref").toString(), tmp.resolve("slm").toString(), "--out", tmp.resolve("report.html").toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(Files.readString(tmp.resolve("report.html")).contains("id=\"curves\""));
        Run resumed = rho("train", "--config", cfg.toString(), "--data", store.toString(), "--out", tmp.resolve("ref").toString(), "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming"), resumed.err());
    }

    @Test
    void malformedInputIsOneLineNamingFileAndLine(@TempDir Path tmp) throws Exception {
        Path data = corpus(tmp), tok = tmp.resolve("tok.json");
        assertEquals(0, rho("tokenizer", "train", "--vocab-size", "300", "--input", data.toString(), "--template", "{question}", "--out", tok.toString()).code());
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\"}\n{\"text\": \"fine too\"}\n{not json\n");
        Run r = rho("prepare", "--tokenizer", tok.toString(), "--input", bad.toString(), "--out", tmp.resolve("s").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.jsonl:3") && r.err().contains("--skip-bad") && !r.err().contains("\tat "), r.err());
        Run skipped = rho("prepare", "--tokenizer", tok.toString(), "--input", bad.toString(), "--out", tmp.resolve("s").toString(), "--skip-bad");
        assertEquals(0, skipped.code(), skipped.err());
        Run missing = rho("train", "--data", tmp.resolve("nope").toString(), "--out", tmp.resolve("r").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope") && missing.err().contains("rho prepare"), missing.err());
    }
}
