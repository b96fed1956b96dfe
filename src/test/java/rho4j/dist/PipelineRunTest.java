package rho4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import rho4j.util.Json;

/**
 * `rho run` on 2 ranks (Gloo, 127.0.0.1): the tiny demo recipe with two micro-batches per step, so each rank trains
 * one and the global batch is one process's. Training stages run on both ranks and agree with one process to the last
 * bit (see DataParallelTrainingTest: one micro-batch per rank sums the same two gradients); the data, evaluation and
 * report stages run on rank 0 while rank 1 waits.
 */
class PipelineRunTest {
    static final String RECIPE = """
            name: tiny-dp
            demo: true
            demo_size: tiny
            seeds: [1]
            budget:
              micro_batch: 4
              batch_tokens: 1024
            selection:
              scope: batch
            """;

    @Test
    void twoRanksRunTheRecipeAsOneProcess(@TempDir Path tmp) throws Exception {
        Path recipe = tmp.resolve("tiny-dp.yaml");
        Files.writeString(recipe, RECIPE);
        int[] one = Ranks.rho(1, tmp.resolve("log1"), 300, Map.of(), "run", recipe.toString(), "--out", tmp.resolve("one").toString());
        assertEquals(0, one[0], Ranks.logs(tmp.resolve("log1"), 1));
        int[] two = Ranks.rho(2, tmp.resolve("log2"), 300, Map.of(), "run", recipe.toString(), "--out", tmp.resolve("two").toString());
        assertArrayEquals(new int[] {0, 0}, two, Ranks.logs(tmp.resolve("log2"), 2));

        JsonNode a = Json.MAPPER.readTree(tmp.resolve("one/results.json").toFile()), b = Json.MAPPER.readTree(tmp.resolve("two/results.json").toFile());
        for (String side : List.of("clm", "slm")) assertEquals(a.get(side), b.get(side), side + ": every metric of every seed");
        assertEquals(a.get("selection"), b.get("selection"), "ground-truth selection precision and recall");
        assertEquals(stageFolders(tmp.resolve("one")), stageFolders(tmp.resolve("two")), "the same stages (keys hash paths inside OUT, so only names compare)");
        for (String run : List.of("slm-seed1", "clm-seed1", "reference", "base"))
            assertArrayEquals(Files.readAllBytes(model(tmp.resolve("one"), run)), Files.readAllBytes(model(tmp.resolve("two"), run)), run + " weights, bit for bit");
        // a check that can fail: the runs trained (the SLM weights moved away from the base's)
        assertNotEquals(Files.size(model(tmp.resolve("two"), "slm-seed1")), 0L);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(model(tmp.resolve("two"), "slm-seed1")), Files.readAllBytes(model(tmp.resolve("two"), "base"))));

        String rank0 = Ranks.log(tmp.resolve("log2"), 0), rank1 = Ranks.log(tmp.resolve("log2"), 1);
        assertTrue(rank0.contains("pipeline finished") && rank0.contains("[stage] eval-slm-seed1"), rank0);
        assertFalse(rank1.contains("[stage]") || rank1.contains("pipeline finished"), "rank 1 stays quiet:\n" + rank1);
        assertTrue(Files.exists(tmp.resolve("two/report.html")));

        // A rerun on 2 ranks finds every stage done (rank 0 decides and tells rank 1)
        int[] again = Ranks.rho(2, tmp.resolve("log3"), 120, Map.of(), "run", recipe.toString(), "--out", tmp.resolve("two").toString());
        assertArrayEquals(new int[] {0, 0}, again, Ranks.logs(tmp.resolve("log3"), 2));
        String rerun = Ranks.log(tmp.resolve("log3"), 0);
        assertTrue(rerun.contains("[stage] slm-seed1") && !rerun.contains(" running") && !rerun.contains(" resuming"), rerun);

        // Rank 0 killed (SIGKILL) in a stage it runs alone: rank 1, waiting for it, stops at once naming it; a rerun of
        // both ranks finishes the recipe with the one-process results.
        Path cut = tmp.resolve("cut"), logs = tmp.resolve("log4");
        Files.createDirectories(logs);
        int port = Ranks.freePort();
        List<String> args = List.of("run", recipe.toString(), "--out", cut.toString());
        Process p0 = Ranks.start(0, 2, port, logs.resolve("rank0.log"), Map.of(), "rho4j.cli.Main", args);
        Process p1 = Ranks.start(1, 2, port, logs.resolve("rank1.log"), Map.of(), "rho4j.cli.Main", args);
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (!Ranks.log(logs, 0).contains("[stage] eval-clm-seed1") && p0.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(p0.isAlive(), Ranks.logs(logs, 2));
        p0.destroyForcibly();
        long killed = System.nanoTime();
        assertTrue(p1.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "rank 1 stops after rank 0's death");
        double stopS = (System.nanoTime() - killed) / 1e9;
        assertNotEquals(0, p1.exitValue(), Ranks.logs(logs, 2));
        assertTrue(Ranks.log(logs, 1).contains("rank 0 died or lost its connection"), Ranks.logs(logs, 2));
        System.out.printf("rank 1 stopped %.2f s after rank 0 was killed%n", stopS);
        int[] resumed = Ranks.rho(2, tmp.resolve("log5"), 300, Map.of(), args.toArray(String[]::new));
        assertArrayEquals(new int[] {0, 0}, resumed, Ranks.logs(tmp.resolve("log5"), 2));
        JsonNode c = Json.MAPPER.readTree(cut.resolve("results.json").toFile());
        for (String side : List.of("clm", "slm")) assertEquals(a.get(side), c.get(side), side + " after the kill and the rerun");
        assertTrue(Ranks.log(tmp.resolve("log5"), 0).contains("[stage] slm-seed1") && Ranks.log(tmp.resolve("log5"), 0).contains("cached"));
    }

    @Test
    void ranksWithDifferentRecipesStopAtTheStart(@TempDir Path tmp) throws Exception {
        Path r0 = tmp.resolve("a.yaml"), r1 = tmp.resolve("b.yaml");
        Files.writeString(r0, RECIPE);
        Files.writeString(r1, RECIPE.replace("scope: batch", "scope: batch\n  ratio: 0.5"));
        int port = Ranks.freePort();
        Path logs = tmp.resolve("logs");
        Files.createDirectories(logs);
        List<Process> ps = List.of(
                Ranks.start(0, 2, port, logs.resolve("rank0.log"), Map.of(), "rho4j.cli.Main", List.of("run", r0.toString(), "--out", tmp.resolve("o").toString())),
                Ranks.start(1, 2, port, logs.resolve("rank1.log"), Map.of(), "rho4j.cli.Main", List.of("run", r1.toString(), "--out", tmp.resolve("o").toString())));
        int[] codes = Ranks.waitAll(ps, 120);
        String all = Ranks.logs(logs, 2);
        assertTrue(codes[0] != 0 && codes[1] != 0, all);
        assertTrue(Ranks.log(logs, 1).contains("the recipes of rank 1 differ from rank 0's"), all);
        assertFalse(Files.exists(tmp.resolve("o/stages")), "nothing ran");
    }

    @Test
    void aBatchTheRanksCannotShareIsRefusedInTheRecipesTerms(@TempDir Path tmp) throws Exception {
        Path recipe = tmp.resolve("r.yaml");
        Files.writeString(recipe, RECIPE.replace("micro_batch: 4", "micro_batch: 8"));
        int[] codes = Ranks.rho(2, tmp.resolve("log"), 120, Map.of(), "run", recipe.toString(), "--out", tmp.resolve("o").toString());
        String all = Ranks.logs(tmp.resolve("log"), 2);
        assertTrue(codes[0] != 0 && codes[1] != 0, all);
        assertTrue(Ranks.log(tmp.resolve("log"), 0).contains("budget.batch_tokens 1024 makes 1 micro-batch of 8 x 128 tokens per step, which 2 ranks cannot share equally"), all);
    }

    private static Path model(Path out, String stage) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("stages"))) {
            Path dir = s.filter(p -> p.getFileName().toString().startsWith(stage + "-")).findFirst().orElseThrow();
            return dir.resolve("model/model.safetensors");
        }
    }

    private static TreeSet<String> stageFolders(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("stages"))) {
            return s.map(p -> p.getFileName().toString().replaceFirst("-[0-9a-f]{16}$", "")).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
