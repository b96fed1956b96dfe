#!/usr/bin/env bash
# Interruptions through bin/rho: SIGTERM/SIGINT during training and scoring, kill -9 during prepare, two writers of
# one run. Each must keep the work: the resumed run's final weights and scores are byte-identical to uninterrupted
# ones. Usage: bench/faults/interrupt.sh [WORKDIR]   (about 2 minutes on 2 cores; prints "survived N/M")
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W="${1:-$(mktemp -d /tmp/rho-interrupt.XXXXXX)}"
RHO="$ROOT/bin/rho"
# Background commands of a non-interactive shell start with SIGINT ignored, and a JVM keeps an ignored signal ignored
# (as it should): start them with the default disposition, as a terminal would (exec: $! stays the JVM itself).
dfl() { exec python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }
mkdir -p "$W"
cd "$W"
python3 - <<'PY'
import json
with open("qa.jsonl", "w") as f:
    for i in range(3000):
        f.write(json.dumps({"question": f"What is {i} plus {i % 7}?", "answer": f"{i} + {i % 7} = {i + i % 7}. The answer is {i + i % 7}."}) + "\n")
PY
T='{question}\n{answer}'
"$RHO" tokenizer train --vocab-size 300 --input qa.jsonl --template "$T" --out tok.json >/dev/null 2>&1
"$RHO" prepare --tokenizer tok.json --input qa.jsonl --template "$T" --out store >/dev/null 2>&1
printf 'preset: tiny\ncontext: 32\nsteps: 300\nwarmup: 10\nmicro_batch: 4\neval_every: 0\nckpt_every: 1000\nlog_every: 1\n' > cfg.yaml
tried=0 survived=0
check() { tried=$((tried + 1)); if eval "$2"; then survived=$((survived + 1)); echo "ok    $1"; else echo "FAIL  $1"; fi; }
sha() { sha256sum "$1" | cut -c1-16; }
# wait_lines FILE N: until FILE has N lines (or 60 s)
wait_lines() { for _ in $(seq 600); do [[ -f "$1" && $(wc -l < "$1") -ge $2 ]] && return; sleep 0.1; done; }

"$RHO" train --config cfg.yaml --data store --out straight >/dev/null 2>&1
for sig in TERM INT; do
  dfl "$RHO" train --config cfg.yaml --data store --out "run-$sig" >/dev/null 2>"err-$sig.txt" &
  pid=$!
  wait_lines "run-$sig/metrics.jsonl" 40
  kill -"$sig" $pid; wait $pid; code=$?
  want=$([[ $sig == TERM ]] && echo 143 || echo 130)
  check "SIG$sig during training: exit $code (want $want), '$(tail -n 1 "err-$sig.txt")'" \
    "[[ $code -eq $want ]] && tail -n 1 err-$sig.txt | grep -q 'checkpoint of step'"
  "$RHO" train --config cfg.yaml --data store --out "run-$sig" --resume >/dev/null 2>&1
  check "SIG$sig: resumed run's weights identical to the uninterrupted run" \
    "[[ \$(sha run-$sig/model/model.safetensors) == \$(sha straight/model/model.safetensors) ]]"
done

"$RHO" score --run straight --data store --out scores-straight --batch 4 >/dev/null 2>&1
dfl "$RHO" score --run straight --data store --out scores --batch 4 >/dev/null 2>err-score.txt &
pid=$!
for _ in $(seq 600); do [[ -f scores/progress.json ]] && grep -q windowsDone scores/progress.json && break; sleep 0.1; done
sleep 1; kill -TERM $pid; wait $pid; code=$?
check "SIGTERM during scoring: exit $code, '$(tail -n 1 err-score.txt)'" "[[ $code -eq 143 || ( $code -eq 0 && -f scores/scores.json ) ]]"
"$RHO" score --run straight --data store --out scores --batch 4 >/dev/null 2>&1
check "scoring resumed: scores identical" "[[ \$(sha scores/ref_loss.f32) == \$(sha scores-straight/ref_loss.f32) ]]"

"$RHO" prepare --tokenizer tok.json --input qa.jsonl --template "$T" --out store2 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do ls -d store2.tmp-* >/dev/null 2>&1 && break; sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null
left=$(ls -d store2.tmp-* 2>/dev/null | wc -l)
"$RHO" prepare --tokenizer tok.json --input qa.jsonl --template "$T" --out store2 >/dev/null 2>err-prep.txt
check "kill -9 during prepare ($left temporary folder(s) left): next prepare cleans them, same store" \
  "[[ \$(ls -d store2.tmp-* 2>/dev/null | wc -l) -eq 0 && \$(sha store2/tokens.bin) == \$(sha store/tokens.bin) ]]"

"$RHO" train --config cfg.yaml --data store --out twice >/dev/null 2>&1 &
pid=$!
wait_lines twice/metrics.jsonl 5
"$RHO" train --config cfg.yaml --data store --out twice --seed 2 >/dev/null 2>err-twice.txt; code=$?
wait $pid
check "a second writer of a run is refused: exit $code, '$(tail -n 1 err-twice.txt)'" "[[ $code -eq 2 ]] && grep -q 'in use by process' err-twice.txt"
check "the first writer finished its run intact" "[[ \$(sha twice/model/model.safetensors) == \$(sha straight/model/model.safetensors) ]]"
echo "survived $survived/$tried interruptions (workdir $W)"
[[ $survived -eq $tried ]]
