"""Self-tests of hf_folders.py and the peer's llama3 frequency scaling (run by .ci/run)."""

import json
import math
import os
import struct
import sys
import tempfile
import unittest

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_folders  # noqa: E402
import peer  # noqa: E402

SCALING = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}


class Llama3Scaling(unittest.TestCase):
    def test_bands(self):
        f = torch.tensor([1.0, 2 * math.pi / 100.0, 2 * math.pi / 5000.0, 2 * math.pi / 20000.0], dtype=torch.float64)
        s = peer.llama3_inv_freq(f, SCALING).tolist()
        self.assertEqual(s[0], 1.0)  # wavelength 2 pi: kept
        self.assertEqual(s[1], f[1].item())  # 100 < 8192 / 4: kept
        self.assertEqual(s[3], f[3].item() / 8)  # 20000 > 8192: slowed by factor
        self.assertTrue(f[2].item() / 8 < s[2] < f[2].item())  # between: blended

    def test_continuous_at_both_band_edges(self):
        for wavelen, want_factor in ((8192 / 4.0, 1.0), (8192 / 1.0, 8.0)):
            for eps in (-1e-9, 0.0, 1e-9):
                f = 2 * math.pi / (wavelen * (1 + eps))
                s = peer.llama3_inv_freq(torch.tensor([f], dtype=torch.float64), SCALING).item()
                self.assertAlmostEqual(s * want_factor / f, 1.0, delta=1e-7)


class Folders(unittest.TestCase):
    def test_sharded_folder_reads_back_what_was_drawn(self):
        with tempfile.TemporaryDirectory() as d:
            hf_folders.make("sharded", d, 11)
            with open(os.path.join(d, "model.safetensors.index.json")) as fh:
                index = json.load(fh)
            w = hf_folders.read_folder(d)
            self.assertEqual(set(w), set(index["weight_map"]))
            self.assertEqual(index["metadata"]["total_size"], sum(t.numel() * t.element_size() for t in w.values()))
            for shard in set(index["weight_map"].values()):
                with open(os.path.join(d, shard), "rb") as fh:
                    (n,) = struct.unpack("<Q", fh.read(8))
                self.assertEqual(n % 8, 0)  # data 8-byte aligned, as the reference writer does

    def test_half_precision_round_trips_bit_for_bit(self):
        with tempfile.TemporaryDirectory() as d:
            t = {"a": torch.randn(3, 5).to(torch.bfloat16), "b": torch.randn(7).to(torch.float16), "c": torch.randn(2, 2)}
            hf_folders.write_safetensors(os.path.join(d, "x.safetensors"), t)
            back = hf_folders.read_safetensors(os.path.join(d, "x.safetensors"))
            for k in t:
                self.assertEqual(back[k].dtype, t[k].dtype)
                self.assertTrue(torch.equal(back[k], t[k]), k)

    def test_peer_model_applies_the_folders_rope_scaling(self):
        with tempfile.TemporaryDirectory() as d:
            hf_folders.make("llama3", d, 13)
            m = hf_folders.peer_model(d, torch.float64)
            cos, _ = m.rope(torch.float64)
            plain, _ = peer.rope_cache(m.cfg.ctx, m.cfg.head_dim, m.cfg.rope_theta, torch.float64)
            self.assertIsNotNone(m.cfg.rope_scaling)
            self.assertGreater((cos - plain).abs().max().item(), 0.1)


if __name__ == "__main__":
    unittest.main()
