#!/usr/bin/env bash
# Issue #16's bad and hostile inputs, each through bin/rho: a case is handled when the command exits non-zero, prints
# no stack trace, and its error is one last stderr line "rho CMD: ..." naming what the case expects (a file, a line).
# Usage: bench/faults/bad-inputs.sh [WORKDIR]   (about 2 minutes on 2 cores; prints "handled N/M")
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W="${1:-$(mktemp -d /tmp/rho-faults.XXXXXX)}"
RHO="$ROOT/bin/rho"
mkdir -p "$W"
cd "$W"

# Fixtures: a small QA corpus, a tokenizer, a store, a 2-step tiny run.
python3 - <<'PY'
import json
with open("qa.jsonl", "w") as f:
    for i in range(300):
        f.write(json.dumps({"question": f"What is {i} plus {i % 7}?", "answer": f"{i} + {i % 7} = {i + i % 7}. The answer is {i + i % 7}."}) + "\n")
PY
T='{question}\n{answer}'
"$RHO" tokenizer train --vocab-size 300 --input qa.jsonl --template "$T" --out tok.json >/dev/null 2>&1 || { echo "fixture: tokenizer failed"; exit 1; }
"$RHO" prepare --tokenizer tok.json --input qa.jsonl --template "$T" --holdout 0.1 --out store >/dev/null 2>&1 || { echo "fixture: prepare failed"; exit 1; }
printf 'preset: tiny\ncontext: 32\nsteps: 2\nwarmup: 1\nmicro_batch: 4\neval_every: 0\nckpt_every: 1\n' > cfg.yaml
"$RHO" train --config cfg.yaml --data store --out run >/dev/null 2>&1 || { echo "fixture: train failed"; exit 1; }
"$RHO" tokenizer train --vocab-size 280 --input qa.jsonl --template '{answer}' --out tok2.json >/dev/null 2>&1 || { echo "fixture: tokenizer 2 failed"; exit 1; }
"$RHO" prepare --tokenizer tok2.json --input qa.jsonl --template "$T" --holdout 0.1 --out other >/dev/null 2>&1 || { echo "fixture: prepare 2 failed"; exit 1; }

tried=0 handled=0
# case NAME EXPECT_SUBSTRING -- rho ARGS...
case_() {
  local name="$1" expect="$2"; shift 3
  tried=$((tried + 1))
  "$RHO" "$@" >out.txt 2>err.txt
  local code=$? last
  last="$(grep -v '^rho: building' err.txt | tail -n 1)"
  if [[ $code -ne 0 ]] && ! grep -qE $'^\tat |Exception in thread' err.txt && [[ "$last" == "rho $1: "* || "$last" == "rho $1 $2: "* ]] && [[ "$last" == *"$expect"* ]]; then
    handled=$((handled + 1)); echo "ok    $name (exit $code): $last"
  else
    echo "FAIL  $name (exit $code): $(tail -n 3 err.txt | tr '\n' ' ')"
  fi
}
cp -r store oov && python3 -c "
import struct; f=open('oov/tokens.bin','r+b'); f.seek(20); f.write(struct.pack('<H', 4000))"
cp -r store changed && python3 -c "
import struct; f=open('changed/tokens.bin','r+b'); f.seek(20); f.write(struct.pack('<H', 7))"
cp -r run/model junk && python3 -c "
import struct, random; p='junk/model.safetensors'; b=bytearray(open(p,'rb').read()); h=8+struct.unpack('<Q', b[:8])[0]
r=random.Random(5); b[h:]=bytes(r.randrange(256) for _ in range(len(b)-h)); open(p,'wb').write(b)"
cp -r run brokenrun && echo '{"config": {' > brokenrun/run.json
cp -r run brokenstate && echo '{"step": "two"}' > "brokenstate/$(cat brokenstate/latest)/state.json"
mkdir -p brokenscores && echo '[1, 2' > brokenscores/scores.json && head -c 16 /dev/zero > brokenscores/ref_loss.f32
cp -r run escape && echo '../../../etc' > escape/latest && rm escape/model/model.safetensors
printf 'steps: 3\nlr: [1, 2\n' > badyaml.yaml
printf 'preset: tiny\nstpes: 3\n' > typo.yaml
printf 'name: ../../escape\ndemo: true\n' > evil-recipe.yaml
printf '{"question": "What is 2 plus 2?", "answer": "2 + 2 = 4.\\n#### 4"}\n{"question": "What is 5 plus 1?"}\n' > task2.jsonl
{ printf '{"question": "q", "answer": "#### 4"}\n{"question": "q", "answer": "#### 4"}\n'; printf '{"question": "caf\xff", "answer": "#### 4"}\n'; } > utf.jsonl
mkdir -p badutf && printf 'first\nx\xc3(\nthird\n' > badutf/a.txt
mkdir -p emptyin && printf '\n\n' > emptyin/blank.txt
printf '{"text": "fine"}\n{not json\n' > bad.jsonl
python3 -c "
import struct, json; h=json.dumps({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [-8, 0]}}).encode()
open('negoff.safetensors','wb').write(struct.pack('<Q', len(h)) + h + bytes(16))
h=json.dumps({'a': {'dtype': 'F32', 'shape': [2]}}).encode(); open('nooff.safetensors','wb').write(struct.pack('<Q', len(h)) + h + bytes(16))
h=json.dumps({'a': {'dtype': 'F32', 'shape': [2**32, 2**32, 2**32], 'data_offsets': [0, 16]}}).encode(); open('huge.safetensors','wb').write(struct.pack('<Q', len(h)) + h + bytes(16))
h=json.dumps({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}, 'b': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}).encode(); open('overlap.safetensors','wb').write(struct.pack('<Q', len(h)) + h + bytes(16))"
for f in negoff nooff huge overlap; do mkdir -p "st-$f" && cp run/model/config.json run/model/tokenizer.json "st-$f/" && cp "$f.safetensors" "st-$f/model.safetensors"; done

case_ micro-batch-0       "--micro-batch must be at least 1" -- train --data store --out x --micro-batch 0
case_ heads-0             "--heads must be between 1"       -- train --data store --out x --preset tiny --heads 0
case_ vocab-2e9           "--vocab-size must be between"    -- tokenizer train --vocab-size 2000000000 --input qa.jsonl --out t.json
case_ steps-abc           "abc"                             -- train --data store --out x --steps abc
case_ config-bad-yaml     "badyaml.yaml:"                   -- train --config badyaml.yaml --data store --out x
case_ config-unknown-key  "unknown key 'stpes'"             -- train --config typo.yaml --data store --out x
case_ oov-ids             "outside the vocabulary"          -- train --config cfg.yaml --data oov --out x
case_ changed-tokens      "SHA-256"                         -- train --config cfg.yaml --data changed --out x
case_ random-weights      "NaN or infinite"                 -- eval --run junk --data store/holdout --windows 2
case_ broken-run-json     "run.json: not valid JSON"        -- info brokenrun
case_ broken-state-json   "state.json: not valid JSON"      -- info brokenstate
case_ broken-scores-json  "scores.json: not valid JSON"     -- train --config cfg.yaml --data store --out x --objective slm --scores brokenscores
case_ missing-tokenizer   "not found"                       -- prepare --tokenizer nope.json --input qa.jsonl --out s
case_ tokenizer-label     "missing.jsonl"                   -- tokenizer train --vocab-size 300 --input missing.jsonl --out t.json
case_ task-line-2         "task2.jsonl:2:"                  -- eval --run run --task task2.jsonl --shots 0 --max-new-tokens 2
case_ task-bad-utf8       "utf.jsonl:3: invalid UTF-8"      -- eval --run run --task utf.jsonl --shots 0 --max-new-tokens 2
case_ corpus-bad-utf8     "a.txt:2: invalid UTF-8"          -- prepare --tokenizer tok.json --input badutf --out s
case_ corpus-empty        "no documents"                    -- prepare --tokenizer tok.json --input emptyin --out s
case_ corpus-bad-json     "bad.jsonl:2"                     -- prepare --tokenizer tok.json --input bad.jsonl --out s
case_ recipe-name         "plain name"                      -- run evil-recipe.yaml
case_ latest-escape       "not inside"                      -- info escape
case_ st-negative-offset  "not two offsets >= 0"            -- eval --run st-negoff --data store/holdout --windows 2
case_ st-missing-offsets  "needs data_offsets"              -- eval --run st-nooff --data store/holdout --windows 2
case_ st-overflow-shape   "too large"                       -- eval --run st-huge --data store/holdout --windows 2
case_ st-overlap          "overlap"                         -- eval --run st-overlap --data store/holdout --windows 2
case_ run-exists          "already holds a run"             -- train --config cfg.yaml --data store --out run
case_ eval-other-store    "another tokenizer"               -- eval --run run --data other/holdout --windows 2
echo "handled $handled/$tried bad inputs (workdir $W)"
[[ $handled -eq $tried ]]
