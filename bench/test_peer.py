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

    def test_train_flops_per_token(self):
        # 6 x every weight a token meets in a matmul (the head, not the embedding lookup) + 6 x layers x dim x ctx
        cfg = peer.Config(**TINY)
        exp = 6.0 * (peer.param_count(peer.build(cfg)) - cfg.vocab * cfg.dim) + 6.0 * cfg.layers * cfg.dim * cfg.ctx
        self.assertEqual(peer.train_flops_per_token(cfg), exp)
        # the 1b preset is TinyLlama's shape: 1,100,048,384 parameters, 65,536,000 of them the embedding
        tl = peer.CONFIGS["1b"]
        self.assertEqual(peer.train_flops_per_token(tl), 6.0 * (1_100_048_384 - 65_536_000) + 6.0 * 22 * 2048 * 2048)

    def test_cuda_without_a_gpu_is_one_line(self):
        if torch.cuda.is_available():
            self.skipTest("a GPU is present")
        with self.assertRaises(SystemExit) as e:
            peer.run_matmul(peer.parse_args(["--matmul", "--device", "cuda"]))
        self.assertIn("--device cuda", str(e.exception))

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


class Selection(unittest.TestCase):
    """The selection rules on hand-made scopes."""

    def test_round_half_up(self):
        self.assertEqual([peer.round_half_up(x) for x in (0.5, 1.5, 2.5, 2.4999, 3.0, 0.49)], [1, 2, 3, 2, 3, 0])
        self.assertEqual(peer.round_half_up(0.3 * 5), 2)

    def test_exact_count_ties_to_the_earlier_position(self):
        keep = peer.top_fraction([1.0, 3.0, 3.0, 2.0, 3.0], [True] * 5, None, 0.4)
        self.assertEqual(keep, [False, True, True, False, False])

    def test_invalid_positions_are_neither_kept_nor_counted(self):
        keep = peer.top_fraction([1.0, 9.0, 3.0, 2.0, 3.0], [True, False, True, True, True], None, 0.4)
        self.assertEqual(keep, [False, False, True, False, True])  # k = round(0.4 * 4) = 2

    def test_documents_whole_best_mean_first_until_the_count(self):
        docs = [0, 0, 1, 1, 1, 2]
        # means: doc 0 = 3, doc 1 = 2, doc 2 = 4; k = round(0.5 * 6) = 3: doc 2 (1 token), then doc 0 (3 in all)
        keep = peer.top_fraction([5.0, 1.0, 2.0, 2.0, 2.0, 4.0], [True] * 6, docs, 0.5)
        self.assertEqual(keep, [True, True, False, False, False, True])
        # the last document taken may overshoot: k = round(0.35 * 6) = 2, doc 2 then all of doc 0
        keep = peer.top_fraction([5.0, 1.0, 2.0, 2.0, 2.0, 4.0], [True] * 6, docs, 0.35)
        self.assertEqual(sum(keep), 3)

    def test_scores_and_intersection(self):
        sel = {"objective": "slm", "ratio": 0.5, "score": "excess+entropy", "unit": "token"}
        loss, ref, ent = [3.0, 1.0, 2.0, 5.0], [0.0, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.9]
        # excess top 2: positions 3, 0; low-entropy top 2: positions 0, 1; both: position 0
        self.assertEqual(peer.scope_mask(sel, loss, ref, ent, None), [True, False, False, False])
        self.assertEqual(peer.scope_mask(dict(sel, score="reference"), loss, [2.0, 1.0, 3.0, 0.5], ent, None),
                         [False, True, False, True])
        self.assertEqual(peer.scope_mask(dict(sel, score="entropy"), loss, ref, ent, None), [True, True, False, False])
        nan = float("nan")
        self.assertEqual(peer.scope_mask(dict(sel, score="excess"), loss, [0.0, None, nan, 0.0], ent, None),
                         [False, False, False, True])  # 2 valid, k = 1
        self.assertEqual(peer.scope_mask(dict(sel, ratio=1.0), loss, [nan] * 4, ent, None), [True] * 4)

    def test_scopes(self):
        loss = torch.tensor([[1.0, 2.0], [3.0, 4.0], [0.0, 9.0], [5.0, 6.0]], dtype=torch.float64)
        ref = [[0.0, 0.0]] * 4
        sel = {"objective": "slm", "ratio": 0.5, "score": "excess", "unit": "token"}
        seq = peer.step_mask(dict(sel, scope="sequence"), loss, ref, None, None, 2)
        self.assertEqual(seq.tolist(), [[False, True]] * 4)
        micro = peer.step_mask(dict(sel, scope="micro-batch"), loss, ref, None, None, 2)
        self.assertEqual(micro.tolist(), [[False, False], [True, True], [False, True], [False, True]])
        batch = peer.step_mask(dict(sel, scope="batch"), loss, ref, None, None, 2)
        self.assertEqual(batch.tolist(), [[False, False], [False, True], [False, True], [True, True]])


class CheckStep(unittest.TestCase):
    """One optimizer step: the gradient (read back from the AdamW update) against finite differences of the loss."""

    S, T, MICRO = 4, 5, 2

    def _input(self, sel, lr=1.0, eps=1e4, wd=0.0, clip=0.0, micro=MICRO):
        g = torch.Generator().manual_seed(3)
        m = peer.build(peer.Config(**TINY), dtype=torch.float64, seed=7)
        case = {"tokens": torch.randint(0, 11, (self.S, self.T), generator=g).tolist(),
                "targets": torch.randint(0, 11, (self.S, self.T), generator=g).tolist(),
                "ref_loss": (2.4 + torch.rand(self.S, self.T, generator=g, dtype=torch.float64)).tolist(),
                "ref_entropy": torch.rand(self.S, self.T, generator=g, dtype=torch.float64).tolist(),
                "docs": [[0, 0, 1, 1, 1], [1, 2, 2, 2, 3], [4, 4, 4, 4, 4], [5, 5, 6, 6, 6]],
                "micro_batch": micro, "selection": sel,
                "optimizer": {"lr": lr, "beta1": 0.9, "beta2": 0.95, "eps": eps, "weight_decay": wd, "clip": clip}}
        return {"config": TINY, "weights": {n: p.detach().tolist() for n, p in m.named_parameters()}, "cases": [case]}

    @staticmethod
    def _grad(inp, out, name):
        """Step 1 of Adam moves by lr * g / (|g| + eps) (bias-corrected moments: g and g^2): solve for g."""
        o = inp["cases"][0]["optimizer"]
        f64 = lambda v: torch.tensor(v, dtype=torch.float64)
        d = (f64(inp["weights"][name]) - f64(out["weights"][name])) / o["lr"]
        return d * o["eps"] / (1 - d.abs())

    def _fd(self, inp, name, idx, h=1e-6):
        vals = []
        for sgn in (+1, -1):
            w = json.loads(json.dumps(inp))
            t = torch.tensor(w["weights"][name], dtype=torch.float64)
            t[idx] += sgn * h
            w["weights"][name] = t.tolist()
            vals.append(peer.check_step(w)["cases"][0]["loss"])
        return (vals[0] - vals[1]) / (2 * h)

    def test_selected_mean_gradient_matches_finite_differences(self):
        for sel in ({"objective": "clm"},
                    {"objective": "slm", "ratio": 0.4, "score": "excess", "scope": "batch", "unit": "token"},
                    {"objective": "slm", "ratio": 0.5, "score": "excess+entropy", "scope": "micro-batch",
                     "unit": "document"}):
            inp = self._input(sel)
            out = peer.check_step(inp)["cases"][0]
            for name, idx in (("layers.0.attention.wq.weight", (3, 2)), ("output.weight", (4, 7)),
                              ("layers.1.ffn_norm.weight", (5,))):
                an = self._grad(inp, out, name)[idx].item()
                fd = self._fd(inp, name, idx)
                self.assertAlmostEqual(an, fd, delta=1e-8 + 1e-5 * abs(fd), msg=f"{sel} {name}")
            grads = [self._grad(inp, out, n) for n in inp["weights"]]
            self.assertAlmostEqual(out["grad_norm"], torch.sqrt(sum((g * g).sum() for g in grads)).item(),
                                   delta=1e-6 * out["grad_norm"])

    def test_loss_is_the_mean_over_the_selected_tokens_of_the_batch(self):
        sel = {"objective": "slm", "ratio": 0.6, "score": "excess", "scope": "sequence", "unit": "document"}
        inp = self._input(sel)
        out = peer.check_step(inp)["cases"][0]
        c = inp["cases"][0]
        m = peer.load_model(inp)
        with torch.no_grad():
            losses = peer.token_losses(m(torch.tensor(c["tokens"])), torch.tensor(c["targets"]))
        mask = torch.tensor(out["mask"], dtype=torch.bool)
        self.assertEqual(out["selected"], int(mask.sum()))
        self.assertAlmostEqual(out["loss"], losses[mask].mean().item(), places=12)
        for r in range(self.S):  # per sequence, whole documents of that sequence only
            for t in range(self.T):
                same = [u for u in range(self.T) if c["docs"][r][u] == c["docs"][r][t]]
                self.assertTrue(all(out["mask"][r][u] == out["mask"][r][t] for u in same))

    def test_batch_scope_and_clm_do_not_depend_on_the_split(self):
        for sel in ({"objective": "clm"},
                    {"objective": "slm", "ratio": 0.3, "score": "excess", "scope": "batch", "unit": "token"}):
            outs = [peer.check_step(self._input(sel, lr=1e-2, eps=1e-8, micro=m))["cases"][0] for m in (1, 2, 4)]
            for o in outs[1:]:
                self.assertEqual(o["mask"], outs[0]["mask"])
                self.assertAlmostEqual(o["loss"], outs[0]["loss"], places=13)
                self.assertAlmostEqual(o["grad_norm"], outs[0]["grad_norm"], places=13)

    def test_clipping_scales_the_gradient_to_the_norm(self):
        sel = {"objective": "clm"}
        free = peer.check_step(self._input(sel))["cases"][0]
        inp = self._input(sel, clip=free["grad_norm"] / 4)
        out = peer.check_step(inp)["cases"][0]
        self.assertTrue(out["clipped"] and not free["clipped"])
        self.assertAlmostEqual(out["grad_norm"], free["grad_norm"], places=12)  # the norm before clipping
        name = "layers.1.attention.wv.weight"
        ratio = self._grad(inp, out, name) / self._grad(self._input(sel), free, name)
        coef = (free["grad_norm"] / 4) / (free["grad_norm"] + 1e-6)
        self.assertTrue(torch.allclose(ratio, torch.full_like(ratio, coef), rtol=1e-6))

    def test_weight_decay_on_matrices_only(self):
        sel = {"objective": "clm"}
        a = self._input(sel, lr=0.1, eps=1e-8)
        b = self._input(sel, lr=0.1, eps=1e-8, wd=0.5)
        wa, wb = peer.check_step(a)["cases"][0]["weights"], peer.check_step(b)["cases"][0]["weights"]
        for n, w0 in a["weights"].items():
            f64 = lambda v: torch.tensor(v, dtype=torch.float64)
            diff = f64(wb[n]) - f64(wa[n])
            exp = -0.1 * 0.5 * f64(w0) if f64(w0).dim() >= 2 else torch.zeros_like(diff)
            self.assertTrue(torch.allclose(diff, exp, atol=1e-14), n)

    def test_cli(self):
        inp = self._input({"objective": "slm", "ratio": 0.5, "score": "entropy", "scope": "batch", "unit": "token"})
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "in.json"), os.path.join(d, "out.json")
            with open(src, "w") as f:
                json.dump(inp, f)
            subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "peer.py"),
                            "--check-step", src, dst], check=True)
            with open(dst) as f:
                out = json.load(f)
        self.assertEqual(out["cases"][0]["selected"], 10)  # round(0.5 * 20)
        self.assertEqual(set(out["cases"][0]["weights"]), set(inp["weights"]))


if __name__ == "__main__":
    unittest.main()
