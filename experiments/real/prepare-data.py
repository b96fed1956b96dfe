#!/usr/bin/env python3
"""Builds the math side of the real-data experiment from ../shared/data (read-only; nothing is copied into the repo).

  prepare-data.py DATA_ROOT OUT_DIR [MATH_TEXT_MCHARS]

writes, as JSON lines {"text": ...} in the harness prompt style ("Question: ...\nAnswer: ... The answer is N."):
  OUT_DIR/reference.jsonl       GSM8K train (minus the last 300) + MATH train: the reference model's clean data
  OUT_DIR/target_holdout.jsonl  the last 300 GSM8K train problems: held-out target loss and token dynamics
  OUT_DIR/math-text.jsonl       StackMathQA questions and answers: real math text mixed into the noisy corpus
                                (its first documents up to MATH_TEXT_MCHARS million characters when given)
"""
import json, os, re, sys

root, out = sys.argv[1], sys.argv[2]
cap = float(sys.argv[3]) * 1e6 if len(sys.argv) > 3 else float("inf")
os.makedirs(out, exist_ok=True)

def lines(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue  # StackMathQA ends with a plain-text statistics trailer
            yield n, json.loads(line)

def gsm8k(item):
    sol = re.sub(r"<<[^>]*>>", "", item["answer"])  # calculator annotations are not prose
    body, _, gold = sol.rpartition("####")
    return f"Question: {item['question'].strip()}\nAnswer: {body.strip()} The answer is {gold.strip()}."

def math(item):
    return f"Question: {item['problem'].strip()}\nAnswer: {item['solution'].strip()}"

def write(name, texts):
    tmp = os.path.join(out, "." + name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    os.replace(tmp, os.path.join(out, name))
    print(f"{name}: {len(texts)} documents, {sum(map(len, texts)) / 1e6:.2f} M chars")

g = [gsm8k(x) for _, x in lines(os.path.join(root, "gsm8k/train.jsonl"))]
m = [math(x) for _, x in lines(os.path.join(root, "math/train.jsonl"))]
write("reference.jsonl", g[:-300] + m)
write("target_holdout.jsonl", g[-300:])
def capped(texts):
    kept, n = [], 0
    for t in texts:
        if n + len(t) > cap:
            break
        kept.append(t)
        n += len(t)
    return kept

write("math-text.jsonl", capped(f"{x['Q'].strip()}\n\n{x['A'].strip()}" for _, x in lines(os.path.join(root, "stackmathqa/stackmathqa-partial.jsonl"))))
