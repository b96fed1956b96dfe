#!/usr/bin/env bash
# The GPU check: on a machine with one NVIDIA GPU (driver installed, nvidia-smi working), builds Rho4j with the CUDA
# natives (mvn -Pcuda), runs the demo pipeline on --device cuda --precision bf16, then `rho bench clm|slm|score` for
# the ref, 125m and 1b presets, and prints tokens/s, MFU against the GPU's bf16 dense peak and peak GPU memory.
# Budget: under 8 minutes on one recent GPU (the 1b runs are 4 steps). No machine this project is built and tested on
# has a GPU that can run a JVM: this script is written to be run elsewhere, and its results go to bench/README.md.
#   bench/gpu-check.sh [OUT_DIR]          PEAK_TFLOPS=989 overrides the bf16 dense peak used for MFU
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="${1:-bench/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
command -v nvidia-smi >/dev/null || { echo "gpu-check: nvidia-smi not found: install the NVIDIA driver first" >&2; exit 2; }
GPU="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
CC="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -1)"
echo "gpu-check: $GPU (compute capability $CC)"

# bf16 dense tensor-core peak in TFLOP/s, for MFU.
source bench/gpu-peak.sh
PEAK_TFLOPS="${PEAK_TFLOPS:-$(gpu_bf16_peak "$GPU")}"
[[ "$PEAK_TFLOPS" != 0 ]] || echo "gpu-check: unknown bf16 peak for '$GPU': set PEAK_TFLOPS for MFU" >&2

# The CUDA natives: the profile swaps libtorch's CPU build for linux-x86_64-gpu and adds the CUDA presets + runtime.
echo "gpu-check: building with mvn -Pcuda (first time: downloads about 840 MB of natives)"
export RHO_MVN_OPTS="-Pcuda"        # and bin/rho, should it rebuild, keeps the profile
mvn -B -q -Pcuda -DskipTests compile
touch target/classes/.rho-built
bin/rho info | tee "$OUT/info.txt"
grep -q "CUDA available" "$OUT/info.txt" || { echo "gpu-check: libtorch sees no GPU (see the line above)" >&2; exit 1; }

# Peak GPU memory: the highest memory.used nvidia-smi reports while a command runs, every 200 ms.
peak_mem() { # peak_mem FILE COMMAND...: runs the command, writes the peak MiB to FILE
  local file="$1"; shift
  ( peak=0; while :; do m="$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)"; [[ "$m" -gt "$peak" ]] && peak="$m" && echo "$peak" > "$file"; sleep 0.2; done ) &
  local mon=$!
  "$@"; local rc=$?
  kill "$mon" 2>/dev/null || true; wait "$mon" 2>/dev/null || true
  return $rc
}

t0=$(date +%s)
echo "gpu-check: demo pipeline on cuda, bf16"
cat > "$OUT/demo-cuda.yaml" <<'YAML'
demo: true
device: cuda
precision: bf16
YAML
peak_mem "$OUT/demo.mem" bin/rho run "$OUT/demo-cuda.yaml" --out "$OUT/demo" 2>&1 | tail -15 | tee "$OUT/demo.txt"
echo "gpu-check: demo $(( $(date +%s) - t0 )) s, peak GPU memory $(cat "$OUT/demo.mem" 2>/dev/null || echo ?) MiB"

: > "$OUT/bench.jsonl"
for cfg in ref 125m 1b; do
  micro=8; steps=6; warm=2
  [[ "$cfg" == 1b ]] && { micro=4; steps=4; warm=1; }
  for w in clm slm score; do
    f="$OUT/$cfg-$w.mem"
    peak_mem "$f" bin/rho bench "$w" --preset "$cfg" --device cuda --precision bf16 --micro-batch $micro --steps $steps --warmup $warm --json \
      2>>"$OUT/bench.err" | tail -1 | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); r["peak_gpu_mb"]=float(open(sys.argv[1]).read() or "nan"); print(json.dumps(r))' "$f" \
      >> "$OUT/bench.jsonl" || echo "{\"config\":\"$cfg\",\"work\":\"$w\",\"error\":\"see bench.err\"}" >> "$OUT/bench.jsonl"
  done
done

python3 bench/gpu_table.py "$OUT/bench.jsonl" "$PEAK_TFLOPS" "$GPU" "Rho4j"
echo "gpu-check: total $(( $(date +%s) - t0 )) s; raw results in $OUT"
