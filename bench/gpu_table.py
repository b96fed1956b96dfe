"""The markdown table of bench/gpu-check.sh (Rho4j) and bench/gpu-peer.sh (the PyTorch peer): one row per JSON line.

    gpu_table.py BENCH.jsonl PEAK_TFLOPS GPU_NAME TITLE [MATMUL.json]

MFU against the data sheet's bf16 dense peak from `model_gflops`, and against the measured matmul peak: the row's own
`mfu` (Rho4j measures its peak in the same process) or `model_gflops` over MATMUL.json's `peak_gflops` (the peer).
"""
import json
import sys


def main(argv):
    rows = [json.loads(line) for line in open(argv[1]) if line.strip()]
    peak, gpu, title = float(argv[2]), argv[3], argv[4]
    mm = json.load(open(argv[5]))["peak_gflops"] if len(argv) > 5 else None
    print(f"\n{gpu}, {title}, bf16; MFU against a bf16 dense peak of {peak:.0f} TFLOP/s"
          + (f" and a measured bf16 matmul of {mm / 1e3:.0f} TFLOP/s" if mm else "") + "\n")
    print("| config | work | tokens/step | tok/s | MFU (data sheet) | MFU (measured matmul) | peak GPU MiB |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['config']} | {r['work']} | | failed | | | |")
            continue
        fl = r.get("model_gflops")
        sheet = f"{fl / (peak * 1e3):.0%}" if fl and peak else ""
        meas = f"{r['mfu']:.0%}" if "mfu" in r else (f"{fl / mm:.0%}" if fl and mm else "")
        print(f"| {r['config']} | {r['work']} | {r.get('tokens_per_step', '')} | {r['median_tok_s']:.0f} | {sheet} | {meas} "
              f"| {r.get('peak_gpu_mb', float('nan')):.0f} |")


if __name__ == "__main__":
    main(sys.argv)
