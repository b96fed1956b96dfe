"""Self-tests for bench/peer.py: /usr/bin/python3 -m unittest discover -s bench -p 'test_peer.py'"""

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402

TINY = dict(dim=16, layers=2, heads=4, kv_heads=2, ffn=24, vocab=11, ctx=12, batch=2)


class LayerMath(unittest.TestCase):
    def test_rmsnorm_formula(self):
        x = torch.randn(3, 5, dtype=torch.float64)
        w = torch.randn(5, dtype=torch.float64)
        exp = x / torch.sqrt((x * x).mean(-1, keepdim=True) + 1e-5) * w
        torch.testing.assert_close(peer.rmsnorm(x, w, 1e-5), exp)

    def test_rope_table(self):
        cos, sin = peer.rope_cache(7, 8, 10000.0, torch.float64)
        self.assertEqual(cos.shape, (7, 8))
        # column j and j + hd/2 share frequency theta^(-2j/hd)
        j, p = 1, 5
        ang = p * 10000.0 ** (-2 * j / 8)
        self.assertAlmostEqual(cos[p, j].item(), math.cos(ang), places=12)
        self.assertAlmostEqual(sin[p, j + 4].item(), math.sin(ang), places=12)

    def test_rope_is_relative(self):
        # <rope(q, m), rope(k, n)> depends only on m - n
        cos, sin = peer.rope_cache(20, 8, 10000.0, torch.float64)
        q, k = torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
        r = lambda v, p: peer.apply_rope(v, cos[p], sin[p])
        self.assertAlmostEqual((r(q, 7) @ r(k, 3)).item(), (r(q, 14) @ r(k, 10)).item(), places=10)

    def test_repeat_kv_groups(self):
        x = torch.randn(1, 2, 3, 4)
        y = peer.repeat_kv(x, 3)
        self.assertEqual(y.shape, (1, 6, 3, 4))
        for h in range(6):
            torch.testing.assert_close(y[:, h], x[:, h // 3])

    def test_causal_mask(self):
        m = peer.causal_mask(2, 5, torch.float32)  # queries at positions 3, 4
        self.assertTrue(torch.isinf(m[0, 4]) and m[0, 3] == 0 and (m[1] == 0).all())

    def test_select_k(self):
        self.assertEqual(peer.select_k(0.6, 2048), 1229)
        self.assertEqual(peer.select_k(0.5, 5), 3)  # half rounds up, like Java Math.round


class Model(unittest.TestCase):
    def test_param_names_and_counts(self):
        m = peer.build(peer.Config(**TINY), seed=0)
        names = [n for n, _ in m.named_parameters()]
        self.assertIn("layers.1.attention.wk.weight", names)
        self.assertIn("layers.0.feed_forward.w3.weight", names)
        self.assertEqual(dict(m.named_parameters())["layers.0.attention.wk.weight"].shape, (8, 16))
        self.assertEqual(peer.param_count(peer.build(peer.CONFIGS["ref"])), 16_913_280)
        tied = peer.build(peer.Config(**dict(TINY, tie=True)))
        self.assertNotIn("output.weight", [n for n, _ in tied.named_parameters()])

    def test_kv_cache_generation_matches_full_recompute(self):
        torch.manual_seed(1)
        m = peer.build(peer.Config(**TINY), dtype=torch.float64, seed=3).eval()
        prompts = torch.randint(0, 11, (2, 5))
        got = peer.generate(m, prompts, 6)
        seq = prompts
        with torch.no_grad():
            for _ in range(6):
                nxt = m(seq)[:, -1].argmax(-1, keepdim=True)
                seq = torch.cat([seq, nxt], 1)
        self.assertTrue(torch.equal(got, seq[:, 5:]))

    def test_causality(self):
        m = peer.build(peer.Config(**TINY), dtype=torch.float64, seed=3)
        a = torch.randint(0, 11, (1, 10))
        b = a.clone()
        b[0, 7:] = (b[0, 7:] + 1) % 11
        with torch.no_grad():
            torch.testing.assert_close(m(a)[:, :7], m(b)[:, :7])


class CheckForward(unittest.TestCase):
    def _input(self, with_weights=True):
        cfg = peer.Config(**TINY)
        m = peer.build(cfg, dtype=torch.float64, seed=5)
        g = torch.Generator().manual_seed(0)
        inp = {"config": TINY,
               "tokens": torch.randint(0, 11, (2, 6), generator=g).tolist(),
               "targets": torch.randint(0, 11, (2, 6), generator=g).tolist()}
        if with_weights:
            inp["weights"] = {n: p.detach().tolist() for n, p in m.named_parameters()}
        return inp

    def test_grads_match_finite_differences(self):
        inp = self._input()
        out = peer.check_forward(inp)
        self.assertAlmostEqual(out["loss"], sum(map(sum, out["losses"])) / 12, places=12)
        for name, idx in (("layers.0.attention.wq.weight", (3, 2)), ("layers.1.feed_forward.w2.weight", (5, 7)),
                          ("tok_embeddings.weight", (inp["tokens"][0][0], 1)), ("norm.weight", (4,)),
                          ("layers.1.attention_norm.weight", (9,))):
            h = 1e-6
            vals = []
            for s in (+1, -1):
                w = json.loads(json.dumps(inp))
                t = torch.tensor(w["weights"][name], dtype=torch.float64)
                t[idx] += s * h
                w["weights"][name] = t.tolist()
                vals.append(peer.check_forward(w)["loss"])
            fd = (vals[0] - vals[1]) / (2 * h)
            an = torch.tensor(out["grads"][name])[idx].item()
            self.assertAlmostEqual(an, fd, delta=1e-7 + 1e-6 * abs(fd), msg=name)

    def test_tied_head_grad(self):
        inp = self._input()
        inp["config"] = dict(TINY, tie=True)
        del inp["weights"]["output.weight"]
        out = peer.check_forward(inp)
        self.assertNotIn("output.weight", out["grads"])
        name, idx, h, vals = "tok_embeddings.weight", (7, 3), 1e-6, []
        for s in (+1, -1):
            w = json.loads(json.dumps(inp))
            w["weights"][name][idx[0]][idx[1]] += s * h
            vals.append(peer.check_forward(w)["loss"])
        fd = (vals[0] - vals[1]) / (2 * h)
        self.assertAlmostEqual(out["grads"][name][idx[0]][idx[1]], fd, delta=1e-7 + 1e-6 * abs(fd))

    def test_cli_roundtrip_and_slm(self):
        inp = self._input(with_weights=False)
        inp["slm"] = {"ref": torch.full((2, 6), 2.0).tolist(), "ratio": 0.5}
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in.json"), os.path.join(d, "out.json")
            with open(src, "w") as f:
                json.dump(inp, f)
            subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "peer.py"),
                            "--check-forward", src, dst], check=True)
            with open(dst) as f:
                out = json.load(f)
        self.assertEqual(torch.tensor(out["logits"]).shape, (2, 6, 11))
        self.assertEqual(set(out["grads"]), set(out["weights"]))
        self.assertEqual(out["slm"]["k"], 6)
        losses = torch.tensor(out["losses"], dtype=torch.float64).view(-1)
        sel = out["slm"]["selected"]
        self.assertAlmostEqual(out["slm"]["loss"], losses[sel].mean().item(), places=12)
        # the selected tokens are those with the largest excess = loss - ref
        self.assertGreaterEqual(losses[sel].min().item(), max(v for i, v in enumerate(losses.tolist())
                                                              if i not in sel))


if __name__ == "__main__":
    unittest.main()
