#!/bin/bash
# The same commands on two builds (checkouts OLD and NEW of this repository, each with bin/rho): the models, stored
# reference losses and entropies must be byte-identical, and every logged loss and the held-out loss equal.
# Usage: bench/same-outputs.sh OLD_CHECKOUT NEW_CHECKOUT [WORKDIR]   (needs ../shared/data/gsm8k beside NEW)
set -euo pipefail
OLD=$(cd "$1" && pwd); NEW=$(cd "$2" && pwd); R=${3:-$(mktemp -d)}
D="$NEW/../shared/data/gsm8k"
mkdir -p "$R"
(cd "$NEW" && bin/rho tokenizer train --vocab-size 512 --input "$D" --template '{question}\n{answer}' --out "$R/tok.json" >/dev/null 2>&1)
(cd "$NEW" && bin/rho prepare --tokenizer "$R/tok.json" --input "$D" --template '{question}\n{answer}' --holdout 0.05 --out "$R/gsm" >/dev/null 2>&1)
for b in old new; do
  W=$OLD; [ $b = new ] && W=$NEW
  cd "$W"
  bin/rho train --data "$R/gsm" --out "$R/$b-ref" --preset tiny --context 64 --steps 30 --eval-every 10 --ckpt-every 10 >/dev/null 2>&1
  bin/rho score --run "$R/$b-ref" --data "$R/gsm" --out "$R/$b-scores" --entropy >/dev/null 2>&1
  bin/rho train --data "$R/gsm" --out "$R/$b-slm" --preset tiny --context 64 --steps 30 --micro-batch 4 --batch-tokens 512 \
    --objective slm --scores "$R/$b-scores" --ratio 0.6 --scope batch >/dev/null 2>&1
  bin/rho eval --run "$R/$b-slm" --data "$R/gsm/holdout" > "$R/$b-eval.txt" 2>&1
done
ok=1
for f in ref/model/model.safetensors slm/model/model.safetensors; do cmp -s "$R/old-$f" "$R/new-$f" && echo "same bytes: $f" || { echo "DIFFERENT: $f"; ok=0; }; done
for f in ref_loss.f32 ref_entropy.f32; do cmp -s "$R/old-scores/$f" "$R/new-scores/$f" && echo "same bytes: $f" || { echo "DIFFERENT: $f"; ok=0; }; done
for r in ref slm; do
  diff <(grep -o '"loss":[^,]*' "$R/old-$r/metrics.jsonl") <(grep -o '"loss":[^,]*' "$R/new-$r/metrics.jsonl") >/dev/null \
    && echo "same losses: $r metrics.jsonl" || { echo "DIFFERENT losses: $r"; ok=0; }
done
grep -h held-out "$R/old-eval.txt" "$R/new-eval.txt"
[ $ok = 1 ]
