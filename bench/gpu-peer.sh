#!/usr/bin/env bash
# The anchor figures a Rho4j GPU run is held against: the plain-PyTorch peer (bench/peer.py, the same model and steps)
# on one NVIDIA GPU in bf16 (torch.autocast("cuda"), fused attention), for the presets bench/gpu-check.sh runs: ref,
# 125m and 1b (TinyLlama's shape), CLM and SLM training and scoring, plus the measured bf16 matmul peak. Needs Python
# with a CUDA build of PyTorch 2.x, no JVM; about 2 minutes on an H100.
#   bench/gpu-peer.sh [OUT_DIR]          PEAK_TFLOPS=989 overrides the bf16 dense peak used for MFU
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-bench/results/gpu-peer-$(date -u +%Y%m%dT%H%M%SZ)}"
PY="${PYTHON:-python3}"
mkdir -p "$OUT"
GPU="$("$PY" -c 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")')"
[[ -n "$GPU" ]] || { echo "gpu-peer: PyTorch sees no GPU (torch.cuda.is_available() is False)" >&2; exit 2; }
source bench/gpu-peak.sh
PEAK_TFLOPS="${PEAK_TFLOPS:-$(gpu_bf16_peak "$GPU")}"
echo "gpu-peer: $GPU, torch $("$PY" -c 'import torch; print(torch.__version__)'), bf16 dense peak $PEAK_TFLOPS TFLOP/s"

"$PY" bench/peer.py --matmul --device cuda --precision bf16 --steps 10 --warmup 3 > "$OUT/matmul.json" 2>>"$OUT/peer.err"
: > "$OUT/bench.jsonl"
for cfg in ref 125m 1b; do
  batch=8; steps=6; warm=2
  [[ "$cfg" == 1b ]] && { batch=4; steps=4; warm=2; }
  for w in clm slm score; do
    "$PY" bench/peer.py --work "$w" --config "$cfg" --batch $batch --device cuda --precision bf16 --steps $steps --warmup $warm \
      2>>"$OUT/peer.err" >> "$OUT/bench.jsonl" || echo "{\"config\":\"$cfg\",\"work\":\"$w\",\"error\":\"see peer.err\"}" >> "$OUT/bench.jsonl"
  done
done

"$PY" bench/gpu_table.py "$OUT/bench.jsonl" "$PEAK_TFLOPS" "$GPU" "PyTorch peer (autocast)" "$OUT/matmul.json"
echo "gpu-peer: raw results in $OUT"
