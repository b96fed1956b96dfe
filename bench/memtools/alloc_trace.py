"""Summarises an alloc_trace.c log: peak of live large allocations, bytes per thread, sizes, what is live at the peak."""
import collections
import sys

live = peak = 0
cur, by_size, by_tid = {}, collections.Counter(), collections.Counter()
at_peak, peak_t, t0 = {}, 0.0, None
for line in open(sys.argv[1]):
    op, tid, p, s, t = line.split()
    s, t = int(s), float(t)
    t0 = t if t0 is None else t0
    if op == 'a':
        cur[p] = (s, tid)
        live += s
        by_size[s] += 1
        by_tid[tid] += s
        if live > peak:
            peak, peak_t, at_peak = live, t - t0, dict(cur)
    elif p in cur:
        live -= cur.pop(p)[0]
print(f"peak live (>= 64 KiB) {peak / 2**20:.1f} MB at {peak_t:.2f} s")
print("allocated per thread (MB):", {k: round(v / 2**20) for k, v in by_tid.items()})
print("most frequent sizes (MB, count):", [(round(s / 2**20, 2), c) for s, c in by_size.most_common(12)])
live_sizes = collections.Counter((s, tid) for s, tid in at_peak.values())
print("live at the peak (MB each, thread, count):",
      sorted(((round(s / 2**20, 2), tid, n) for (s, tid), n in live_sizes.items()), key=lambda x: -x[0] * x[2])[:15])
