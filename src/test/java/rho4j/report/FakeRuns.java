package rho4j.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import rho4j.analysis.DynamicsFiles;
import rho4j.analysis.DynamicsResult;
import rho4j.analysis.TokenDynamics;

/** Writes run folders in the trainer's formats, with plausible numbers, for the report tests. */
final class FakeRuns {
    static final ObjectMapper M = new ObjectMapper();

    private FakeRuns() {}

    /** A complete run folder: metrics, settings, evaluation, dynamics and a token sample. */
    static Path complete(Path root, String name, boolean slm, long seed) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        Random rnd = new Random(seed);
        List<String> lines = new ArrayList<>();
        double floor = slm ? 2.6 : 2.8;
        for (int step = 10; step <= 500; step += 10) {
            long tokens = step * 4096L;
            double loss = floor + 2.5 * Math.exp(-step / 120.0) + rnd.nextGaussian() * 0.05;
            ObjectNode o = M.createObjectNode().put("type", "train").put("step", step).put("tokens", tokens)
                    .put("loss", loss).put("lr", 6e-4 * Math.min(1, step / 50.0)).put("tok_per_s", 850 + rnd.nextInt(40))
                    .put("grad_norm", 0.8 + rnd.nextDouble() * 0.2);
            if (slm) {
                o.put("sel_loss", loss - 0.2).put("unsel_loss", loss + 0.4).put("sel_frac", 0.6)
                        .put("mean_excess", 0.4 * Math.exp(-step / 300.0));
            }
            lines.add(o.toString());
            if (step % 100 == 0) {
                lines.add(M.createObjectNode().put("type", "eval").put("step", step).put("tokens", tokens)
                        .put("val_loss", loss + 0.1).toString());
                ObjectNode h = M.createObjectNode().put("type", "hist").put("step", step).put("name", "excess_loss");
                ArrayNode edges = h.putArray("edges");
                ArrayNode counts = h.putArray("counts");
                for (int k = 0; k <= 20; k++) {
                    edges.add(-2 + k * 0.25);
                }
                for (int k = 0; k < 20; k++) {
                    double c = (k - 9.5) / 3.0;
                    counts.add(Math.round(1000 * Math.exp(-c * c / 2) * step / 500.0));
                }
                lines.add(h.toString());
            }
        }
        Files.write(dir.resolve("metrics.jsonl"), lines);

        ObjectNode run = M.createObjectNode().put("name", name).put("objective", slm ? "slm" : "clm")
                .put("model", "gpt2-tiny").put("seed", seed);
        if (slm) {
            run.put("ratio", 0.6).put("score", "excess").put("scope", "micro-batch").put("reference", "runs/ref");
        }
        M.writeValue(dir.resolve("run.json").toFile(), run);

        ObjectNode eval = M.createObjectNode();
        ArrayNode tasks = eval.putArray("tasks");
        tasks.addObject().put("task", "gsm8k").put("metric", "accuracy").put("value", slm ? 0.12 : 0.09)
                .put("n", 100).put("downstream_loss", slm ? 2.3 : 2.5);
        tasks.addObject().put("task", "math").put("metric", "accuracy").put("value", slm ? 0.05 : 0.04)
                .put("n", 100).put("downstream_loss", slm ? 2.9 : 3.0);
        M.writeValue(dir.resolve("eval.json").toFile(), eval);

        // dynamics.json through the real writer, so the report reads exactly what part A produces.
        int checkpoints = 6;
        int n = 400;
        float[][] losses = new float[checkpoints][n];
        for (int t = 0; t < n; t++) {
            double start = 1 + rnd.nextDouble() * 5;
            double change = (rnd.nextDouble() - (slm ? 0.6 : 0.55)) * 2;
            for (int k = 0; k < checkpoints; k++) {
                losses[k][t] = (float) Math.max(0.01, start + change * k / (checkpoints - 1.0)
                        + rnd.nextGaussian() * 0.1);
            }
        }
        double[] x = new double[checkpoints];
        for (int k = 0; k < checkpoints; k++) {
            x[k] = 100 * (k + 1);
        }
        DynamicsResult d = TokenDynamics.analyze(x, losses);
        DynamicsFiles.writeJson(d, dir.resolve("dynamics.json"));

        ObjectNode tok = M.createObjectNode().put("step", 500);
        ArrayNode docs = tok.putArray("docs");
        addDoc(docs.addObject(), List.of("Tom", " has", " 3", " apples", ".", "\n", "He", " eats", " 1", ".", "\n\n",
                "How", " many", " are", " left", "?", " <script>", "alert(1)", "</script>", " &", " \"quoted\"", "\t",
                "", " It's", " 2", "."), rnd, slm);
        List<String> longer = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            longer.add(i % 12 == 11 ? "\n" : " token" + i);
        }
        addDoc(docs.addObject(), longer, rnd, slm);
        M.writeValue(dir.resolve("tokens.json").toFile(), tok);
        return dir;
    }

    private static void addDoc(ObjectNode doc, List<String> tokens, Random rnd, boolean slm) {
        ArrayNode t = doc.putArray("tokens");
        ArrayNode ref = doc.putArray("ref_loss");
        ArrayNode ex = doc.putArray("excess");
        ArrayNode sel = doc.putArray("selected");
        ArrayNode noise = doc.putArray("noise");
        for (String s : tokens) {
            t.add(s);
            double r = rnd.nextDouble() * 6;
            double e = rnd.nextGaussian() * 1.2;
            ref.add(r);
            ex.add(e);
            sel.add(!slm || e > -0.2);
            noise.add(rnd.nextDouble() < 0.05);
        }
    }

    /** A run stopped early: only run.json and a metrics file with a torn last line. */
    static Path partial(Path root, String name) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        M.writeValue(dir.resolve("run.json").toFile(), M.createObjectNode().put("name", name).put("objective", "clm"));
        Files.writeString(dir.resolve("metrics.jsonl"), """
                {"type":"train","step":10,"tokens":40960,"loss":4.1,"lr":0.0006,"tok_per_s":850.0,"grad_norm":0.8}
                {"type":"train","step":20,"tokens":81920,"loss":NaN,"lr":0.0006,"tok_per_s":850.0,"grad_norm":0.8}
                {"type":"train","step":30,"tokens":122880,"loss":3.
                """);
        return dir;
    }
}
