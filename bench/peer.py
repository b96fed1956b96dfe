#!/usr/bin/python3
"""Plain-PyTorch peer of Rho4j's Java benchmark and numerical reference.

The model here must match Rho4j's exactly (Llama-style decoder, Meta's weight
names, rotate-half RoPE, SwiGLU, RMSNorm).  The layer math lives in small
functions (rmsnorm, rope_cache, apply_rope, attention, swiglu) and the model is
built by ``build(cfg)`` so tests can import this file as a module::

    sys.path.insert(0, "bench"); import peer
    model = peer.build(peer.Config(dim=64, layers=2, heads=4, kv_heads=2,
                                   ffn=128, vocab=97, ctx=16))

Modes (see bench/README.md):
    --work clm|slm|score|generate    throughput benchmark, prints ONE JSON line
    --matmul                         GEMM GFLOP/s (machine-peak figure; --precision bf16: bf16 GEMM)
    --precision fp32|bf16            bf16: torch.autocast(device, dtype=torch.bfloat16) around the forward
                                     pass (fp32 weights, optimizer and loss), as practitioners run it
    --device cpu|cuda                where --work and --matmul run (cuda: peak GPU memory in the JSON)
    --check-forward IN.json OUT.json float64 logits/losses/grads for parity tests
    --check-step IN.json OUT.json    float64 optimizer steps (selection, loss, clipping, AdamW)

Written for PyTorch 1.13 (no scaled_dot_product_attention) and newer.
"""

import argparse
import contextlib
import dataclasses
import json
import math
import os
import resource
import statistics
import sys
import time
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- config


@dataclasses.dataclass
class Config:
    dim: int = 384
    layers: int = 6
    heads: int = 6
    kv_heads: int = 6
    ffn: int = 1024          # SwiGLU hidden size F
    vocab: int = 8192
    ctx: int = 256           # context length T (also the RoPE table length)
    batch: int = 8
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie: bool = False        # output head shares tok_embeddings.weight
    init_std: float = 0.02
    # Hugging Face rope_scaling of rope_type "llama3" (factor, low_freq_factor, high_freq_factor,
    # original_max_position_embeddings), or None for plain RoPE.
    rope_scaling: Optional[dict] = None

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def validate(self) -> "Config":
        if self.dim % self.heads:
            raise ValueError(f"dim {self.dim} not divisible by heads {self.heads}")
        if self.heads % self.kv_heads:
            raise ValueError(f"heads {self.heads} not divisible by kv_heads {self.kv_heads}")
        if self.head_dim % 2:
            raise ValueError(f"head_dim {self.head_dim} must be even for RoPE")
        return self

    @staticmethod
    def from_dict(d: dict) -> "Config":
        names = {f.name for f in dataclasses.fields(Config)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return Config(**d).validate()


CONFIGS = {
    # ~16.9M params; the configuration Rho4j benchmarks by default.
    "ref": Config(dim=384, layers=6, heads=6, kv_heads=6, ffn=1024, vocab=8192, ctx=256, batch=8),
    # ~4x the training FLOPs of "ref" (~69.2M params).
    "x4": Config(dim=768, layers=8, heads=12, kv_heads=12, ffn=2048, vocab=8192, ctx=256, batch=8),
    # Rho4j's GPU presets (LlamaConfig "125m", "1b": TinyLlama's shape), for the CUDA anchor figures.
    "125m": Config(dim=768, layers=12, heads=12, kv_heads=12, ffn=2048, vocab=32000, ctx=1024, batch=8),
    "1b": Config(dim=2048, layers=22, heads=32, kv_heads=4, ffn=5632, vocab=32000, ctx=2048, batch=4),
}


# ---------------------------------------------------------------- layer math


def rmsnorm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """x * rsqrt(mean(x^2, -1) + eps) * w, computed in fp32 (fp64 stays fp64)."""
    ct = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    xf = x.to(ct)
    normed = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return normed.to(x.dtype) * weight


def llama3_inv_freq(inv_freq: torch.Tensor, scaling: dict) -> torch.Tensor:
    """Llama-3.1's frequency scaling, written from Meta's reference (apply_scaling in llama/model.py):
    wavelengths beyond original/low_freq_factor are slowed by factor, those below
    original/high_freq_factor kept, the band between blended linearly in original/wavelen."""
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    out = []
    for f in inv_freq.tolist():
        wavelen = 2 * math.pi / f
        if wavelen < old / high:
            out.append(f)
        elif wavelen > old / low:
            out.append(f / factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append((1 - smooth) * f / factor + smooth * f)
    return torch.tensor(out, dtype=inv_freq.dtype)


def rope_cache(length: int, head_dim: int, theta: float = 10000.0,
               dtype: torch.dtype = torch.float32,
               scaling: Optional[dict] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """cos, sin of shape (length, head_dim); rotate-half layout.

    inv_freq = theta^(-(0, 2, ..., hd-2)/hd) (llama3-scaled when scaling is
    given); freqs = outer(pos, inv_freq); emb = cat(freqs, freqs).  Built in
    float64 then cast, so fp32 and fp64 runs start from the same table.
    """
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    if scaling is not None:
        inv_freq = llama3_inv_freq(inv_freq, scaling)
    pos = torch.arange(length, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x: (B, H, T, hd); cos/sin: (T, hd) for the positions of x."""
    return x * cos + rotate_half(x) * sin


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """(B, Hkv, T, hd) -> (B, Hkv*n_rep, T, hd); query head h uses kv head h // n_rep."""
    if n_rep == 1:
        return x
    b, hkv, t, hd = x.shape
    return x[:, :, None, :, :].expand(b, hkv, n_rep, t, hd).reshape(b, hkv * n_rep, t, hd)


def causal_mask(t_q: int, t_k: int, dtype: torch.dtype, device=None) -> torch.Tensor:
    """Additive (t_q, t_k) mask; query i sits at absolute position t_k - t_q + i."""
    m = torch.full((t_q, t_k), float("-inf"), dtype=dtype, device=device)
    return torch.triu(m, diagonal=t_k - t_q + 1)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
              mask: Optional[torch.Tensor]) -> torch.Tensor:
    """softmax(q k^T / sqrt(hd) + mask) v, q: (B,H,Tq,hd), k/v: (B,H,Tk,hd)."""
    if q.is_cuda and hasattr(F, "scaled_dot_product_attention"):
        # on GPUs the fused kernel, as Rho4j and practitioners run it (PyTorch 2.x); CPU keeps the written-out form
        if mask is None or q.shape[-2] == k.shape[-2]:
            return F.scaled_dot_product_attention(q, k, v, is_causal=mask is not None)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask.to(q.dtype))
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    if scores.dtype in (torch.float16, torch.bfloat16):  # softmax in fp32; fp64 stays fp64
        probs = F.softmax(scores.float(), dim=-1).to(q.dtype)
    else:
        probs = F.softmax(scores, dim=-1)
    return torch.matmul(probs, v)


def swiglu(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor, w3: torch.Tensor) -> torch.Tensor:
    """w2(silu(w1 x) * w3 x); weights (out, in) like nn.Linear."""
    return F.linear(F.silu(F.linear(x, w1)) * F.linear(x, w3), w2)


# ---------------------------------------------------------------- modules
# Parameter names follow Meta's Llama layout (tok_embeddings, layers.{i}.attention.wq,
# feed_forward.w1, attention_norm, ffn_norm, norm, output) -- but RoPE is rotate-half,
# so wq/wk need no permutation.


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return rmsnorm(x, self.weight, self.eps)


class Attention(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.n_heads, self.n_kv, self.hd = cfg.heads, cfg.kv_heads, cfg.head_dim
        self.wq = nn.Linear(cfg.dim, cfg.heads * self.hd, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.kv_heads * self.hd, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.kv_heads * self.hd, bias=False)
        self.wo = nn.Linear(cfg.heads * self.hd, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask, cache=None, start_pos: int = 0):
        b, t, _ = x.shape
        q = self.wq(x).view(b, t, self.n_heads, self.hd).transpose(1, 2)
        k = self.wk(x).view(b, t, self.n_kv, self.hd).transpose(1, 2)
        v = self.wv(x).view(b, t, self.n_kv, self.hd).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        if cache is not None:  # preallocated (B, Hkv, maxT, hd) buffers
            ck, cv = cache
            ck[:b, :, start_pos:start_pos + t] = k
            cv[:b, :, start_pos:start_pos + t] = v
            k = ck[:b, :, :start_pos + t]
            v = cv[:b, :, :start_pos + t]
        rep = self.n_heads // self.n_kv
        out = attention(q, repeat_kv(k, rep), repeat_kv(v, rep), mask)
        return self.wo(out.transpose(1, 2).reshape(b, t, self.n_heads * self.hd))


class FeedForward(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.w1 = nn.Linear(cfg.dim, cfg.ffn, bias=False)
        self.w2 = nn.Linear(cfg.ffn, cfg.dim, bias=False)
        self.w3 = nn.Linear(cfg.dim, cfg.ffn, bias=False)

    def forward(self, x):
        return swiglu(x, self.w1.weight, self.w2.weight, self.w3.weight)


class Block(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.attention_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.feed_forward = FeedForward(cfg)

    def forward(self, x, cos, sin, mask, cache=None, start_pos: int = 0):
        x = x + self.attention(self.attention_norm(x), cos, sin, mask, cache, start_pos)
        return x + self.feed_forward(self.ffn_norm(x))


class Transformer(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg.vocab, cfg.dim)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.output = nn.Linear(cfg.dim, cfg.vocab, bias=False)
        if cfg.tie:
            self.output.weight = self.tok_embeddings.weight
        self._rope = None

    def rope(self, dtype, device=None):
        if self._rope is None or self._rope[0].dtype != dtype or (device is not None and self._rope[0].device != device):
            cos, sin = rope_cache(self.cfg.ctx, self.cfg.head_dim, self.cfg.rope_theta, dtype, self.cfg.rope_scaling)
            self._rope = (cos.to(device), sin.to(device)) if device is not None else (cos, sin)
        return self._rope

    def hidden(self, tokens, cache=None, start_pos: int = 0):
        """Final-normed hidden states (B, T, D)."""
        t = tokens.shape[1]
        x = self.tok_embeddings(tokens)
        cos, sin = self.rope(x.dtype, x.device)
        cos, sin = cos[start_pos:start_pos + t], sin[start_pos:start_pos + t]
        mask = causal_mask(t, start_pos + t, x.dtype, x.device) if t > 1 else None
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, None if cache is None else cache[i], start_pos)
        return self.norm(x)

    def forward(self, tokens, cache=None, start_pos: int = 0):
        """Logits (B, T, V)."""
        return self.output(self.hidden(tokens, cache, start_pos))

    def new_cache(self, batch: int, max_len: int):
        w = self.tok_embeddings.weight
        shape = (batch, self.cfg.kv_heads, max_len, self.cfg.head_dim)
        return [(torch.zeros(shape, dtype=w.dtype, device=w.device), torch.zeros(shape, dtype=w.dtype, device=w.device))
                for _ in self.layers]


def init_weights(model: Transformer, std: float = 0.02) -> None:
    """Embedding and every linear ~ N(0, std); norm weights = 1."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.fill_(1.0)
            else:
                p.normal_(0.0, std)


def build(cfg: Config, dtype: torch.dtype = torch.float32, seed: Optional[int] = None) -> Transformer:
    """Build (and initialise) the model; `seed` reseeds torch's global RNG first."""
    if isinstance(cfg, dict):
        cfg = Config.from_dict(cfg)
    cfg.validate()
    if seed is not None:
        torch.manual_seed(seed)
    model = Transformer(cfg)
    init_weights(model, cfg.init_std)
    return model.to(dtype)


def param_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())  # parameters() dedups tied weights


def token_losses(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Per-token cross-entropy (B, T) (in fp32 or higher)."""
    b, t, v = logits.shape
    lg = logits.float() if logits.dtype in (torch.float16, torch.bfloat16) else logits
    return F.cross_entropy(lg.reshape(b * t, v), targets.reshape(b * t), reduction="none").view(b, t)


def select_k(ratio: float, n: int) -> int:
    """k = round(ratio * n), rounding half up (as Java's Math.round), at least 1."""
    return max(1, min(n, int(math.floor(ratio * n + 0.5))))


def slm_loss(losses: torch.Tensor, ref: torch.Tensor, ratio: float):
    """Rho-1 selective loss: mean loss over the top-k tokens by excess = loss - ref.

    Returns (loss, selected flat indices, excess scores)."""
    flat = losses.reshape(-1)
    excess = flat.detach() - ref.reshape(-1).to(flat.dtype)
    k = select_k(ratio, flat.numel())
    idx = torch.topk(excess, k).indices
    return flat[idx].mean(), idx, excess


def adamw_for(model: nn.Module, lr=3e-4, betas=(0.9, 0.95), eps=1e-8, wd=0.1, foreach=None):
    """AdamW with weight decay on 2-D weights only (embeddings, linears, head)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    kw = {} if foreach is None else {"foreach": foreach}
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, **kw)


@torch.no_grad()
def generate(model: Transformer, prompts: torch.Tensor, new_tokens: int) -> torch.Tensor:
    """Greedy decoding with a KV cache; returns (B, new_tokens) generated ids.

    Prefill runs the whole prompt once (output head on its last position only),
    then one token per step."""
    b, t0 = prompts.shape
    total = t0 + new_tokens
    if total > model.cfg.ctx:
        raise ValueError(f"prompt {t0} + new {new_tokens} exceeds ctx {model.cfg.ctx}")
    cache = model.new_cache(b, total)
    h = model.hidden(prompts, cache, 0)
    nxt = model.output(h[:, -1:]).argmax(-1)  # (B, 1)
    out = [nxt]
    pos = t0
    for _ in range(new_tokens - 1):
        h = model.hidden(nxt, cache, pos)
        nxt = model.output(h).argmax(-1)
        out.append(nxt)
        pos += 1
    return torch.cat(out, dim=1)


# ---------------------------------------------------------------- benchmark


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def blas_diag() -> str:
    """One line about the BLAS/OpenMP in use and env knobs, for stderr."""
    parts = []
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
              "OMP_NUM_THREADS", "GOMP_SPINCOUNT", "MKL_NUM_THREADS"):
        if k in os.environ:
            parts.append(f"{k}={os.environ[k]}")
    try:
        from threadpoolctl import threadpool_info
        for d in threadpool_info():
            parts.append(f"{d.get('internal_api')}:{os.path.basename(d.get('filepath', ''))}"
                         f"(v{d.get('version')},{d.get('architecture', '')},threads={d.get('num_threads')})")
    except ImportError:
        parts.append("threadpoolctl not installed")
    return "peer: " + " ".join(parts)


def train_flops_per_token(cfg: Config) -> float:
    """Rho4j's LlamaConfig.trainFlopsPerToken: 6 x (matmul weights incl. the head) + 6 x layers x dim x ctx."""
    per_layer = 2 * cfg.dim * cfg.dim + 2 * cfg.dim * cfg.kv_heads * cfg.head_dim + 3 * cfg.dim * cfg.ffn + 2 * cfg.dim
    return 6.0 * (cfg.layers * per_layer + cfg.dim + cfg.vocab * cfg.dim) + 6.0 * cfg.layers * cfg.dim * cfg.ctx


def _device(args) -> torch.device:
    dev = torch.device(getattr(args, "device", "cpu"))
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("peer: --device cuda but torch.cuda.is_available() is False (driver or CUDA build missing)")
    return dev


def _sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def run_benchmark(args, cfg: Config, cfg_name: str) -> dict:
    torch.manual_seed(args.seed)
    dev = _device(args)
    model = build(cfg).to(dev)
    gen = torch.Generator().manual_seed(args.seed + 1)
    b, t = cfg.batch, cfg.ctx
    nbatches = 4
    data = torch.randint(0, cfg.vocab, (nbatches, b, t + 1), generator=gen).to(dev)
    # "reference model" per-token losses for SLM: random but fixed, around ln(V)
    ref = (math.log(cfg.vocab) + 0.5 * torch.randn(b, t, generator=gen)).float().to(dev)

    work = args.work
    bf16 = getattr(args, "precision", "fp32") == "bf16"

    def mixed():
        """The forward pass under autocast in bf16 (nothing in fp32); losses are taken on fp32 logits."""
        return torch.autocast(dev.type, dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

    if work in ("clm", "slm"):
        model.train()
        opt = adamw_for(model, foreach=args.foreach)
        params = list(model.parameters())
        tokens_per_step = b * t

        def step(i):
            batch = data[i % nbatches]
            x, y = batch[:, :-1], batch[:, 1:]
            opt.zero_grad(set_to_none=True)
            with mixed():
                logits = model(x)
            logits = logits.float()
            if work == "clm":
                loss = F.cross_entropy(logits.reshape(-1, cfg.vocab), y.reshape(-1))
            else:
                loss, _, _ = slm_loss(token_losses(logits, y), ref, args.ratio)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            return loss.item()
    elif work == "score":
        model.eval()
        tokens_per_step = b * t

        def step(i):
            batch = data[i % nbatches]
            with torch.no_grad(), mixed():
                logits = model(batch[:, :-1])
            with torch.no_grad():
                return token_losses(logits.float(), batch[:, 1:]).sum().item()
    elif work == "generate":
        model.eval()
        plen, nnew = args.prompt_len, args.new_tokens
        prompts = torch.randint(0, cfg.vocab, (nbatches, b, plen), generator=gen).to(dev)
        tokens_per_step = b * nnew

        def step(i):
            with mixed():
                return int(generate(model, prompts[i % nbatches], nnew)[0, -1])
    else:
        raise ValueError(work)

    step_s = []
    last = None
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    for i in range(args.warmup + args.steps):
        _sync(dev)
        t0 = time.perf_counter()
        last = step(i)
        _sync(dev)
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            step_s.append(dt)
        if args.verbose:
            print(f"peer: step {i} {'warm' if i < args.warmup else 'timed'} {dt:.4f}s value={last}",
                  file=sys.stderr)
    med = statistics.median(step_s)
    out = {
        "engine": "pytorch",
        "torch": torch.__version__,
        "work": work,
        "precision": "bf16" if bf16 else "fp32",
        "device": str(dev),
        "config": cfg_name,
        "params": param_count(model),
        "tokens_per_step": tokens_per_step,
        "step_s": [round(s, 6) for s in step_s],
        "median_tok_s": round(tokens_per_step / med, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "threads": torch.get_num_threads(),
    }
    if work in ("clm", "slm"):
        out["model_gflops"] = round(train_flops_per_token(cfg) * tokens_per_step / med / 1e9, 1)
    if dev.type == "cuda":
        out["gpu"] = torch.cuda.get_device_name(dev)
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated(dev) / 2 ** 20, 1)
    return out


def run_matmul(args) -> dict:
    torch.manual_seed(args.seed)
    dev = _device(args)
    sizes = []
    dt = torch.bfloat16 if getattr(args, "precision", "fp32") == "bf16" else torch.float32
    for n in ((1024, 2048) if dev.type == "cpu" else (4096, 8192)):
        a, bm = torch.randn(n, n).to(dev, dt), torch.randn(n, n).to(dev, dt)
        c = torch.empty(n, n, dtype=dt, device=dev)
        for _ in range(max(1, args.warmup)):
            torch.mm(a, bm, out=c)
        times = []
        for _ in range(max(1, args.steps)):
            _sync(dev)
            t0 = time.perf_counter()
            torch.mm(a, bm, out=c)
            _sync(dev)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        sizes.append({"n": n, "median_s": round(med, 6), "gflops": round(2.0 * n ** 3 / med / 1e9, 2),
                      "times_s": [round(x, 6) for x in times]})
    return {
        "engine": "pytorch",
        "torch": torch.__version__,
        "work": "matmul",
        "dtype": str(dt).replace("torch.", ""),
        "precision": "bf16" if dt == torch.bfloat16 else "fp32",
        "device": str(dev),
        "gemm": sizes,
        "peak_gflops": max(s["gflops"] for s in sizes),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "threads": torch.get_num_threads(),
    }


# ---------------------------------------------------------------- numerical check


def _nested(t: torch.Tensor):
    return t.detach().to(torch.float64).tolist()


def check_forward(inp: dict, seed: int = 0) -> dict:
    """float64 forward/backward for the parity test (format: bench/README.md)."""
    cfg = Config.from_dict(inp["config"])
    model = build(cfg, dtype=torch.float64, seed=inp.get("seed", seed))
    names = [n for n, _ in model.named_parameters()]  # tied output.weight is not listed
    weights = inp.get("weights")
    if weights is not None:
        missing = [n for n in names if n not in weights]
        extra = [n for n in weights if n not in names and not (cfg.tie and n == "output.weight")]
        if missing or extra:
            raise ValueError(f"weights: missing {missing} unexpected {extra}")
        sd = dict(model.named_parameters())
        with torch.no_grad():
            for n in names:
                w = torch.tensor(weights[n], dtype=torch.float64)
                if w.shape != sd[n].shape:
                    raise ValueError(f"{n}: shape {tuple(w.shape)} != expected {tuple(sd[n].shape)}")
                sd[n].copy_(w)
    tokens = torch.tensor(inp["tokens"], dtype=torch.long)
    targets = torch.tensor(inp["targets"], dtype=torch.long)
    if tokens.dim() != 2 or tokens.shape != targets.shape:
        raise ValueError("tokens and targets must both be (B, T)")
    if tokens.shape[1] > cfg.ctx:
        raise ValueError(f"T={tokens.shape[1]} exceeds ctx {cfg.ctx}")

    logits = model(tokens)
    losses = token_losses(logits, targets)
    loss = losses.mean()
    loss.backward()
    out = {
        "dtype": "float64",
        "params": param_count(model),
        "logits": _nested(logits),
        "losses": _nested(losses),
        "loss": loss.item(),
        "grads": {n: _nested(p.grad) for n, p in model.named_parameters()},
    }
    if weights is None:
        out["weights"] = {n: _nested(p) for n, p in model.named_parameters()}
    if "slm" in inp:
        model.zero_grad(set_to_none=True)
        ref = torch.tensor(inp["slm"]["ref"], dtype=torch.float64)
        ratio = float(inp["slm"].get("ratio", 0.6))
        sl, idx, excess = slm_loss(token_losses(model(tokens), targets), ref, ratio)
        sl.backward()
        out["slm"] = {
            "k": int(idx.numel()),
            "excess": _nested(excess.view_as(losses)),
            "selected": sorted(int(i) for i in idx),
            "loss": sl.item(),
            "grads": {n: _nested(p.grad) for n, p in model.named_parameters()},
        }
    return out


# ---------------------------------------------------------------- one optimizer step
# Written from the selection and optimizer rules in README.md ("Selection", "Training"), not from the Java code.

SCORES = ("excess", "reference", "entropy", "excess+entropy")
SCOPES = ("sequence", "micro-batch", "batch")
UNITS = ("token", "document")


def round_half_up(x: float) -> int:
    """The selected count of a scope: round(k * valid) with halves going up (0.5 -> 1, 2.5 -> 3)."""
    return int(math.floor(x + 0.5))


def token_scores(kind: str, loss: List[float], ref: List[float], ent: List[float]) -> List[float]:
    """Higher = more worth training: excess L - L_ref, reference -L_ref, entropy -H_ref."""
    if kind == "excess":
        return [a - b for a, b in zip(loss, ref)]
    if kind == "reference":
        return [-b for b in ref]
    if kind == "entropy":
        return [-h for h in ent]
    raise ValueError(f"unknown score {kind!r}: use one of {SCORES}")


def top_fraction(scores: List[float], valid: List[bool], docs: Optional[List[int]], ratio: float) -> List[bool]:
    """The kept positions of one scope: exactly round_half_up(ratio * valid) tokens, best score first, ties to the
    earlier position; or, with docs, whole documents (their valid tokens inside the scope) best mean score first
    (ties: the document seen first) until at least that many tokens are kept. Invalid positions are never kept."""
    n_valid = sum(valid)
    k = round_half_up(ratio * n_valid)
    keep = [False] * len(scores)
    if docs is None:
        order = sorted((i for i in range(len(scores)) if valid[i]), key=lambda i: (-scores[i], i))
        for i in order[:k]:
            keep[i] = True
        return keep
    members: Dict[int, List[int]] = {}
    for i in range(len(scores)):
        if valid[i]:
            members.setdefault(docs[i], []).append(i)
    ranked = sorted(members.values(), key=lambda pos: (-sum(scores[i] for i in pos) / len(pos), pos[0]))
    taken = 0
    for pos in ranked:
        if taken >= k:
            break
        for i in pos:
            keep[i] = True
        taken += len(pos)
    return keep


def scope_mask(sel: dict, loss: List[float], ref: Optional[List[float]], ent: Optional[List[float]],
               docs: Optional[List[int]]) -> List[bool]:
    """Selection inside one scope (flat lists). Ratio 1 (or CLM) trains on every target; otherwise a position
    without a reference value (NaN) is not a candidate and is not counted."""
    n = len(loss)
    ratio = float(sel.get("ratio", 1.0))
    if sel.get("objective", "slm") == "clm" or ratio == 1.0:
        return [True] * n
    score = sel["score"]
    nan = lambda v: v is None or v != v
    valid = [not nan(ref[i]) and (score not in ("entropy", "excess+entropy") or not nan(ent[i])) for i in range(n)]
    ref0 = [0.0 if nan(v) else v for v in ref]
    ent0 = None if ent is None else [0.0 if nan(v) else v for v in ent]
    unit_docs = docs if sel.get("unit", "token") == "document" else None
    if score == "excess+entropy":  # both top sets, same count rule, intersected
        a = top_fraction(token_scores("excess", loss, ref0, ent0), valid, unit_docs, ratio)
        b = top_fraction(token_scores("entropy", loss, ref0, ent0), valid, unit_docs, ratio)
        return [x and y for x, y in zip(a, b)]
    return top_fraction(token_scores(score, loss, ref0, ent0), valid, unit_docs, ratio)


def step_mask(sel: dict, loss: torch.Tensor, ref, ent, docs, micro: int) -> torch.Tensor:
    """(S, T) bool mask of one optimizer batch of S sequences, micro-batches of `micro` sequences."""
    s, t = loss.shape
    scope = sel.get("scope", "micro-batch")
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}: use one of {SCOPES}")
    rows = {"sequence": 1, "micro-batch": micro, "batch": s}[scope]
    lv = loss.tolist()
    mask = []
    for r0 in range(0, s, rows):
        part = lambda a: None if a is None else [v for row in a[r0:r0 + rows] for v in row]
        mask += scope_mask(sel, part(lv), part(ref), part(ent), part(docs))
    return torch.tensor(mask, dtype=torch.bool).view(s, t)


def load_model(inp: dict) -> Transformer:
    cfg = Config.from_dict(inp["config"])
    model = build(cfg, dtype=torch.float64, seed=0)
    sd = dict(model.named_parameters())
    weights = inp["weights"]
    if set(weights) != set(sd):
        raise ValueError(f"weights: missing {sorted(set(sd) - set(weights))} unexpected {sorted(set(weights) - set(sd))}")
    with torch.no_grad():
        for n, p in sd.items():
            w = torch.tensor(weights[n], dtype=torch.float64)
            if w.shape != p.shape:
                raise ValueError(f"{n}: shape {tuple(w.shape)} != expected {tuple(p.shape)}")
            p.copy_(w)
    return model


def one_step(inp: dict, case: dict) -> dict:
    """One optimizer step from the initial weights: loss = (sum of the selected token losses of every micro-batch)
    / (number selected in the whole batch), backward, global-norm clipping, AdamW (decay on matrices only)."""
    model = load_model(inp)
    tokens = torch.tensor(case["tokens"], dtype=torch.long)
    targets = torch.tensor(case["targets"], dtype=torch.long)
    s, t = tokens.shape
    micro = int(case["micro_batch"])
    if s % micro:
        raise ValueError(f"{s} sequences do not split into micro-batches of {micro}")
    losses = torch.cat([token_losses(model(tokens[i:i + micro]), targets[i:i + micro]) for i in range(0, s, micro)])
    sel = case["selection"]
    mask = step_mask(sel, losses.detach(), case.get("ref_loss"), case.get("ref_entropy"), case.get("docs"), micro)
    count = int(mask.sum())
    if count == 0:
        raise ValueError("no token selected")
    loss = losses[mask].sum() / count
    loss.backward()
    o = case["optimizer"]
    params = list(model.parameters())
    clip = float(o.get("clip", 0.0))
    if clip > 0:
        norm = float(torch.nn.utils.clip_grad_norm_(params, clip))
    else:
        norm = float(torch.norm(torch.stack([p.grad.norm() for p in params])))
    opt = adamw_for(model, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], wd=o["weight_decay"], foreach=False)
    opt.step()
    return {
        "loss": loss.item(),
        "grad_norm": norm,
        "clipped": clip > 0 and norm > clip,
        "selected": count,
        "mask": mask.int().tolist(),
        "weights": {n: _nested(p) for n, p in model.named_parameters()},
    }


def check_step(inp: dict) -> dict:
    """float64 optimizer steps for the step parity test (format: bench/README.md): one per case, each from the
    same initial weights."""
    return {"dtype": "float64", "cases": [one_step(inp, c) for c in inp["cases"]]}


# ---------------------------------------------------------------- CLI


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", choices=["clm", "slm", "score", "generate"], default="clm")
    p.add_argument("--config", choices=sorted(CONFIGS) + ["custom"], default="ref",
                   help="preset; any size flag below overrides it (config is then reported as NAME+custom)")
    for flag, key in (("--dim", "dim"), ("--layers", "layers"), ("--heads", "heads"),
                      ("--kv-heads", "kv_heads"), ("--ffn", "ffn"), ("--vocab", "vocab"),
                      ("--ctx", "ctx"), ("--batch", "batch")):
        p.add_argument(flag, dest=key, type=int, default=None)
    p.add_argument("--rope-theta", type=float, default=None)
    p.add_argument("--tie", action="store_true", help="tie output head to tok_embeddings")
    p.add_argument("--ratio", type=float, default=0.6, help="SLM token selection ratio")
    p.add_argument("--prompt-len", type=int, default=64)
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--foreach", choices=["default", "on", "off"], default="default",
                   help="AdamW foreach implementation (default: PyTorch's choice)")
    p.add_argument("--matmul", action="store_true", help="measure GEMM GFLOP/s instead (in --precision)")
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                   help="bf16: torch.autocast(device, dtype=torch.bfloat16) around the forward pass")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where --work and --matmul run")
    p.add_argument("--check-forward", nargs=2, metavar=("IN.json", "OUT.json"))
    p.add_argument("--check-step", nargs=2, metavar=("IN.json", "OUT.json"))
    p.add_argument("--verbose", "-v", action="store_true", help="per-step times on stderr")
    args = p.parse_args(argv)
    args.foreach = {"default": None, "on": True, "off": False}[args.foreach]
    return args


def config_from_args(args) -> Tuple[Config, str]:
    base = CONFIGS.get(args.config, CONFIGS["ref"])
    over = {k: getattr(args, k) for k in ("dim", "layers", "heads", "kv_heads", "ffn", "vocab", "ctx", "batch")
            if getattr(args, k) is not None}
    if args.rope_theta is not None:
        over["rope_theta"] = args.rope_theta
    if args.tie:
        over["tie"] = True
    cfg = dataclasses.replace(base, **over).validate()
    name = args.config
    if over and args.config != "custom":
        name = args.config + "+custom"
    return cfg, name


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.check_forward:
        src, dst = args.check_forward
        with open(src) as f:
            inp = json.load(f)
        out = check_forward(inp, args.seed)
        with open(dst, "w") as f:
            json.dump(out, f)
        return 0
    if args.check_step:
        src, dst = args.check_step
        with open(src) as f:
            inp = json.load(f)
        with open(dst, "w") as f:
            json.dump(check_step(inp), f)
        return 0
    print(blas_diag(), file=sys.stderr)
    if args.matmul:
        result = run_matmul(args)
    else:
        cfg, name = config_from_args(args)
        result = run_benchmark(args, cfg, name)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
