package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    /** Three items; the fake model's log-prob of each option's continuation is fixed by a table. */
    private Path choiceFile() throws IOException {
        return write("mc.jsonl",
                "{\"question\": \"Capital of France?\", \"choices\": [\"Rome\", \"Paris\", \"Berlin\", \"Madrid\"], \"answer\": 1}",
                "{\"question\": \"Largest planet?\", \"choices\": [\"Mars\", \"the gas giant Jupiter\"], \"answer\": 1}",
                "{\"question\": \"2+2?\", \"choices\": [\"4\", \"four hundred\"], \"answer\": 0}");
    }

    private static final Map<String, Double> OPTION_LOGPROB = Map.of(
            " Paris", -2.0,
            " Mars", -3.0,                  // 5 chars: -0.6 per char, best raw
            " the gas giant Jupiter", -4.4, // 22 chars: -0.2 per char, best normalised (the gold)
            " 4", -1.0,                     // 2 chars: -0.5 per char, best raw (the gold)
            " four hundred", -1.5);         // 13 chars: -0.115 per char, best normalised

    static FakeModel choiceModel() {
        return new FakeModel((ctx, cont) -> OPTION_LOGPROB.getOrDefault(cont, -10.0), p -> "");
    }

    @Test
    void multipleChoiceRawAndLengthNormalised() throws IOException {
        Path file = choiceFile();
        assertEquals("mmlu", TaskLoader.detect(file).name());
        TaskResult r = new Evaluator(choiceModel(), new Evaluator.Config(0, 0, 2, 16, 0)).evaluate(EvalTask.detect(file));
        List<ItemResult> items = r.items();
        assertEquals(List.of("B", "A", "A"), items.stream().map(ItemResult::predicted).toList());
        assertEquals(List.of("B", "B", "B"), items.stream().map(ItemResult::predictedNorm).toList());
        assertEquals(List.of("B", "B", "A"), items.stream().map(ItemResult::gold).toList());
        assertEquals(List.of(true, false, true), items.stream().map(ItemResult::correct).toList());
        assertEquals(List.of(true, true, false), items.stream().map(ItemResult::correctNorm).toList());
        assertEquals(2.0 / 3, r.scores().accuracy(), 1e-12);
        assertEquals(2.0 / 3, r.scores().accuracyNorm(), 1e-12);
        assertEquals(List.of(-3.0, -4.4), items.get(1).optionLogProbs());
        assertEquals(List.of(5, 22), items.get(1).optionChars());
        assertNull(r.scores().downstreamLoss()); // MMLU has no solutions
        assertEquals("Question: Capital of France?\nAnswer:".length(), items.get(0).promptTokens());
    }

    @Test
    void multipleChoiceByLetter() throws IOException {
        Path file = choiceFile();
        TaskLayout letters = TaskLayout.MMLU.withContinuation(TaskLayout.Continuation.LETTER);
        // the model has read the listed options: it favours the letter whose line holds the right answer
        FakeModel m = new FakeModel((ctx, cont) -> ctx.contains(cont.strip() + ". Paris")
                || ctx.contains(cont.strip() + ". the gas") || ctx.contains(cont.strip() + ". 4\n") ? -0.1 : -5, p -> "");
        TaskResult r = new Evaluator(m, new Evaluator.Config(0, 0, 8, 16, 0))
                .evaluate(new EvalTask("mc_letters", file, letters, null));
        assertEquals(1.0, r.scores().accuracy());
        assertEquals(List.of(2, 2, 2, 2), r.items().get(0).optionChars());
    }

    /** Two GSM8K-style items, 0-shot; per-token log-prob -2 for a digit, -0.5 for any other char. */
    @Test
    void downstreamLossMatchesHandComputation() throws IOException {
        Path file = write("gsm.jsonl",
                "{\"question\": \"What is 1+1?\", \"answer\": \"1+1=<<1+1=2>>2\\n#### 2\", \"idx\": 0}",
                "{\"question\": \"What is 10-3?\", \"answer\": \"10-3=7\\n#### 7\", \"idx\": 1}");
        FakeModel m = new FakeModel((ctx, cont) -> cont.chars().mapToDouble(c -> Character.isDigit(c) ? -2.0 : -0.5).sum(),
                p -> p.contains("1+1") ? " 1+1=2. The answer is 2.\n\nQuestion: What" : " 10-3=8. The answer is 8.");
        TaskResult r = new Evaluator(m, new Evaluator.Config(0, 0, 4, 64, 0)).evaluate(EvalTask.detect(file));
        // " 1+1=2 The answer is 2."   23 tokens, 4 digits: 4*2 + 19*0.5 = 17.5
        // " 10-3=7 The answer is 7."  24 tokens, 5 digits: 5*2 + 19*0.5 = 19.5
        assertEquals(17.5, r.items().get(0).solutionNll(), 1e-12);
        assertEquals(23, r.items().get(0).solutionTokens());
        assertEquals(19.5, r.items().get(1).solutionNll(), 1e-12);
        assertEquals(24, r.items().get(1).solutionTokens());
        assertEquals(37.0 / 47, r.scores().downstreamLoss(), 1e-12);
        assertEquals(Math.exp(37.0 / 47), r.scores().perplexity(), 1e-12);
        assertEquals(47, r.scores().solutionTokens());
        // generation: cut at the stop string, answer extracted and graded
        assertEquals(" 1+1=2. The answer is 2.", r.items().get(0).generated());
        assertEquals(List.of("2", "8"), r.items().stream().map(ItemResult::predicted).toList());
        assertEquals(List.of(true, false), r.items().stream().map(ItemResult::correct).toList());
        assertEquals(0.5, r.scores().accuracy());
        assertNull(r.scores().accuracyNorm());
    }

    private Path gsmFile(String name, int n, int offset) throws IOException {
        String[] lines = new String[n];
        for (int i = 0; i < n; i++) {
            int a = i + offset, b = 2 * i + 1;
            lines[i] = "{\"question\": \"What is " + a + "+" + b + "?\", \"answer\": \"" + a + "+" + b + "=" + (a + b)
                    + "\\n#### " + (a + b) + "\"}";
        }
        return write(name, lines);
    }

    private static FakeModel arithmeticModel() {
        // answers right when the question's first number is even; log-probs depend on the prompt, so demos matter
        return new FakeModel((ctx, cont) -> -0.01 * (ctx.length() % 97) - 0.3 * cont.length(), p -> {
            String q = p.substring(p.lastIndexOf("What is ") + 8, p.lastIndexOf('?'));
            String[] ab = q.split("\\+");
            int a = Integer.parseInt(ab[0]), b = Integer.parseInt(ab[1]);
            return " " + q + "=" + (a % 2 == 0 ? a + b : a + b + 1) + ". The answer is " + (a % 2 == 0 ? a + b : a + b + 1) + ".";
        });
    }

    @Test
    void sameInputsGiveIdenticalJson() throws IOException {
        Path test = gsmFile("test.jsonl", 7, 0);
        Path train = gsmFile("train.jsonl", 20, 100);
        Path mc = choiceFile();
        Evaluator.Config cfg = new Evaluator.Config(2, 5, 3, 40, 7);
        List<EvalTask> tasks = List.of(EvalTask.detect(test).withTrainFile(train).named("toy"), EvalTask.detect(mc));
        FakeModel first = arithmeticModel();
        List<TaskResult> a = new Evaluator(first, cfg).evaluateAll(tasks);
        List<TaskResult> b = new Evaluator(arithmeticModel(), cfg).evaluateAll(tasks);
        String json = ResultJson.toJson(a);
        assertEquals(json, ResultJson.toJson(b));
        assertEquals(a, b);
        assertTrue(first.batchSizes.stream().allMatch(s -> s <= 3 * 4), "batches: " + first.batchSizes);

        Path out = dir.resolve("results/eval.json");
        TaskResult.writeJson(a, out);
        assertEquals(json, Files.readString(out));
        TaskResult.writeJson(b, out); // overwriting is fine and leaves no temp file behind
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList());
        }

        JsonNode root = new ObjectMapper().readTree(json);
        JsonNode toy = root.get("tasks").get(0);
        assertEquals("toy", toy.get("task").asText());
        assertEquals("gsm8k", toy.get("layout").get("name").asText());
        assertEquals(5, toy.get("scores").get("n").asInt());
        assertEquals(0.6, toy.get("scores").get("accuracy").asDouble(), 1e-12); // items 0, 2, 4 have even a
        assertTrue(toy.get("scores").get("accuracy_norm").isNull());
        assertEquals(5, toy.get("items").size());
        JsonNode item = toy.get("items").get(0);
        assertEquals(List.of("index", "id", "prompt_tokens", "generated", "predicted", "gold", "correct", "correct_norm",
                "predicted_norm", "option_logprobs", "option_chars", "solution_nll", "solution_tokens"),
                iterableToList(item.fieldNames()));
        assertFalse(item.get("solution_nll").isNull());
        // demonstrations came from the train file (numbers >= 100), not the test file
        assertTrue(a.get(0).items().get(0).promptTokens() > "Question: What is 0+1?\nAnswer:".length() + 40);

        String table = Table.format(a);
        assertTrue(table.startsWith("task"), table);
        assertTrue(table.contains("toy") && table.contains("60.00") && table.contains("mmlu"), table);
    }

    private static List<String> iterableToList(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
