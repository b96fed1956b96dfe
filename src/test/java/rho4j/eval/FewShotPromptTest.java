package rho4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FewShotPromptTest {
    static TaskItem gsm(int i, String q, String solution, String gold) {
        return new TaskItem(i, Integer.toString(i), q, solution, gold, List.of(), -1);
    }

    static final List<TaskItem> POOL = List.of(
            gsm(0, "What is 2+3?", "2+3=5", "5"),
            gsm(1, "Tom has 3 apples and buys 4 more. How many?", "3+4=7\nHe has 7.", "7"),
            gsm(2, "What is 6*7?", "6*7=42", "42"),
            gsm(3, "What is 9-1?", "9-1=8", "8"),
            gsm(4, "What is 10/2?", "10/2=5", "5"));

    @Test
    void twoShotPromptExactly() {
        FewShotPrompt fs = new FewShotPrompt(TaskLayout.GSM8K, POOL, 2, 0, false);
        // the test item is the pool's first item, so the demonstrations are items 1 and 2
        assertEquals("""
                Question: Tom has 3 apples and buys 4 more. How many?
                Answer: 3+4=7
                He has 7. The answer is 7.

                Question: What is 6*7?
                Answer: 6*7=42 The answer is 42.

                Question: What is 2+3?
                Answer:""", fs.prompt(POOL.get(0)));
        // an item outside the pool gets the first items; without a solution its answer is just the sentence
        TaskItem outside = gsm(9, "What is 1+1?", null, "2");
        assertEquals("Question: What is 2+3?\nAnswer: 2+3=5 The answer is 5.\n\nQuestion: What is 1+1?\nAnswer:",
                new FewShotPrompt(TaskLayout.GSM8K, POOL, 1, 0, false).prompt(outside));
        assertEquals(" The answer is 2.", FewShotPrompt.answer(outside, TaskLayout.GSM8K));
    }

    @Test
    void seededDrawIsDeterministicAndNeverTheTestItem() {
        for (TaskItem test : POOL) {
            List<TaskItem> a = new FewShotPrompt(TaskLayout.GSM8K, POOL, 4, 42, true).demonstrations(test);
            List<TaskItem> b = new FewShotPrompt(TaskLayout.GSM8K, POOL, 4, 42, true).demonstrations(test);
            assertEquals(a, b);
            assertEquals(4, a.size());
            assertFalse(a.contains(test));
        }
        List<List<Integer>> draws = new ArrayList<>();
        for (long seed = 0; seed < 5; seed++) {
            draws.add(new FewShotPrompt(TaskLayout.GSM8K, POOL, 2, seed, true).demonstrations(gsm(9, "new", null, "1"))
                    .stream().map(TaskItem::index).toList());
        }
        assertNotEquals(1, draws.stream().distinct().count(), "seeds should change the draw: " + draws);
    }

    @Test
    void choicePromptsWithLetters() {
        TaskItem item = new TaskItem(0, "0", "Capital of France?", null, "Paris", List.of("Rome", "Paris"), 1);
        assertEquals("Question: Capital of France?\nAnswer:", FewShotPrompt.question(item, TaskLayout.MMLU));
        assertEquals(" Paris", FewShotPrompt.answer(item, TaskLayout.MMLU));
        TaskLayout letters = TaskLayout.MMLU.withContinuation(TaskLayout.Continuation.LETTER);
        assertEquals("Question: Capital of France?\nA. Rome\nB. Paris\nAnswer:", FewShotPrompt.question(item, letters));
        assertEquals(" B", FewShotPrompt.answer(item, letters));
    }

    @Test
    void stopStringsFollowTheHarness() {
        assertEquals(List.of("\n\nQuestion:", "Question:", "</s>", "<|endoftext|>"), FewShotPrompt.STOPS);
        assertEquals(" 4+4=8. The answer is 8.", Evaluator.cutAtStop(" 4+4=8. The answer is 8.\n\nQuestion: next"));
    }
}
