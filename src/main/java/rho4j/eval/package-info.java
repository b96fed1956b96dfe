/**
 * Evaluation without tensors: answer extraction and grading after ZubinGou/math-evaluation-harness, task layouts
 * that map JSONL files to items, k-shot prompts, and the {@link rho4j.eval.Evaluator} that drives a
 * {@link rho4j.eval.LanguageModel} to accuracy, length-normalised multiple-choice accuracy and downstream loss.
 *
 * <pre>
 * Evaluator ev = new Evaluator(model, new Evaluator.Config(4, 0, 8, 512, 0)); // shots, limit, batch, new tokens, seed
 * TaskResult gsm = ev.evaluate(EvalTask.detect(data.resolve("eval/gsm8k/test.jsonl"))
 *         .withTrainFile(data.resolve("gsm8k/train.jsonl")));
 * TaskResult mmlu = ev.evaluate(EvalTask.detect(data.resolve("eval/mmlu_stem/test.jsonl")));
 * TaskResult.writeJson(List.of(gsm, mmlu), Path.of("results/eval.json"));
 * System.out.print(Table.format(List.of(gsm, mmlu)));
 * </pre>
 */
package rho4j.eval;
