#!/usr/bin/env bash
# Side-by-side throughput: Rho4j (bin/rho bench) and the plain-PyTorch peer (bench/peer.py), alternating run by run
# on the same machine, same configs, same thread count. Prints a Markdown table; raw JSON lines go to $OUT.
#   bench/compare.sh [REPS] [CONFIGS] [PRECISIONS]      e.g. bench/compare.sh 3 "ref x4" "fp32 bf16"
# bf16: Rho4j --precision bf16 against the peer under torch.autocast("cpu", dtype=torch.bfloat16). Where Rho4j's auto
# check finds no fast bf16 on this CPU (no AMX, bf16 matmul not clearly faster than fp32), only fp32 is run.
# WORKS overrides the workloads (default: clm slm score generate for ref, clm slm for x4), STEPS and WARM the timed
# and warm-up steps of each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPS="${1:-2}"; CONFIGS="${2:-ref x4}"; PRECISIONS="${3:-fp32 bf16}"
OUT="${OUT:-bench/results/compare-$(date -u +%Y%m%dT%H%M%SZ).jsonl}"
mkdir -p "$(dirname "$OUT")"
THREADS="$(nproc)"
# Each side in its own best thread setting: bin/rho sets Rho4j's (GOMP_SPINCOUNT=10000, one OpenMP pool when an
# OpenMP OpenBLAS is installed); the peer's pthread OpenBLAS needs OpenMP workers that never spin.
PEER_ENV=(env GOMP_SPINCOUNT=0 OMP_WAIT_POLICY=PASSIVE)
# Older OpenBLAS builds need these on some CPUs; a current one runs its best kernel without (see env notes).
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE || true
PY=/usr/bin/python3
bin/rho --version >/dev/null  # build first, outside the timings
if [[ " $PRECISIONS " == *" bf16 "* ]] && ! bin/rho info 2>/dev/null | grep -q "^precision auto: bf16"; then
  echo "compare: $(bin/rho info 2>/dev/null | grep '^precision auto') -- no fast bf16 on this CPU, reporting fp32 only" >&2
  PRECISIONS="fp32"
fi

for cfg in $CONFIGS; do
  works="${WORKS:-clm slm score generate}"; [ "$cfg" = x4 ] && works="${WORKS:-clm slm}"
  for w in $works; do
    steps=6; warm=2; [ "$cfg" = x4 ] && { steps=4; warm=1; }
    steps="${STEPS:-$steps}"; warm="${WARM:-$warm}"  # shorter runs on a busy machine
    for r in $(seq "$REPS"); do
      for prec in $PRECISIONS; do
        bin/rho bench "$w" --preset "$cfg" --steps $steps --warmup $warm --precision "$prec" --json 2>/dev/null | tail -1 >> "$OUT"
        "${PEER_ENV[@]}" $PY bench/peer.py --config "$cfg" --work "$w" --warmup $warm --steps $steps --threads "$THREADS" --precision "$prec" 2>/dev/null | tail -1 >> "$OUT"
      done
    done
  done
done
for prec in $PRECISIONS; do
  bin/rho bench matmul --precision "$prec" --json 2>/dev/null | tail -1 >> "$OUT"
  "${PEER_ENV[@]}" $PY bench/peer.py --matmul --precision "$prec" --threads "$THREADS" 2>/dev/null | tail -1 >> "$OUT"
done

$PY - "$OUT" <<'PYEOF'
import json, sys, statistics as st
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(xs): return st.median(xs) if xs else float('nan')
prec = lambda r: r.get('precision', 'fp32')
for pr in sorted({prec(r) for r in rows if r.get('work') == 'matmul'}):
    peak = {r['engine']: r.get('matmul_gflops', r.get('peak_gflops')) for r in rows if r.get('work') == 'matmul' and prec(r) == pr}
    print(f"matmul {pr} peak (GFLOP/s): rho4j {peak.get('rho4j', float('nan')):.0f}, pytorch {peak.get('pytorch', float('nan')):.0f}")
print()
print("| config | work | precision | Rho4j tok/s | PyTorch tok/s | ratio | Rho4j MFU | Rho4j peak RSS MB | PyTorch peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
keys = []
for r in rows:
    k = (r.get('config'), r.get('work'), prec(r))
    if r.get('work') != 'matmul' and k not in keys: keys.append(k)
for cfg, w, pr in keys:
    j = [r for r in rows if r['engine'] == 'rho4j' and r.get('config') == cfg and r['work'] == w and prec(r) == pr]
    p = [r for r in rows if r['engine'] == 'pytorch' and r.get('config') == cfg and r['work'] == w and prec(r) == pr]
    jt, pt = med([r['median_tok_s'] for r in j]), med([r['median_tok_s'] for r in p])
    mfu = med([r['mfu'] for r in j if 'mfu' in r])
    print(f"| {cfg} | {w} | {pr} | {jt:.0f} | {pt:.0f} | {jt/pt:.2f} | {mfu:.0%} | {max(r['peak_rss_mb'] for r in j):.0f} | {max(r['peak_rss_mb'] for r in p):.0f} |"
          if j and p else f"| {cfg} | {w} | {pr} | missing | | | | | |")
for cfg, w in dict.fromkeys((c, w) for c, w, _ in keys):  # bf16 over fp32, each engine
    for eng in ('rho4j', 'pytorch'):
        t = {pr: med([r['median_tok_s'] for r in rows if r['engine'] == eng and r.get('config') == cfg and r['work'] == w and prec(r) == pr]) for pr in ('fp32', 'bf16')}
        if t['fp32'] == t['fp32'] and t['bf16'] == t['bf16']: print(f"{cfg} {w}: {eng} bf16 / fp32 = {t['bf16'] / t['fp32']:.2f}")
PYEOF
echo "raw: $OUT"
