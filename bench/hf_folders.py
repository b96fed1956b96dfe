#!/usr/bin/python3
"""Random-weight Hugging Face Llama folders, and their per-token log-probs by bench/peer.py's model.

The folders are what transformers' save_pretrained writes for LlamaForCausalLM (config.json,
model.safetensors or shards + model.safetensors.index.json, generation_config.json, the tokenizer
files), written here by hand so only Debian's python3-torch is needed.

    hf_folders.py make KIND OUT --vocab V [--tokenizer tokenizer.json] [--seed S]
    hf_folders.py logprobs FOLDER TOKENS.json OUT.json [--dtype float64|float32]

KIND: bf16-tied | f16-gqa | sharded | llama3 (see KINDS). TOKENS.json: [[ids...], ...]; OUT.json:
per-token log P(x_t | x_<t) for t >= 1 of each row, computed by peer.Transformer with the folder's
weights (rope_scaling applied by peer.rope_cache).
"""

import argparse
import json
import math
import os
import shutil
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer  # noqa: E402

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16, "F64": torch.float64}
CODES = {v: k for k, v in DTYPES.items()}
TORCH_DTYPE = {torch.float32: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}

# Sizes small enough for a test, shaped like the real families they stand for. Weights are drawn
# larger than training's init (std `std`), so predictions are far from uniform and rope matters.
KINDS = {
    # SmolLM / Llama-3.2-1B style: tied head, bf16 weights, Llama-3 rope_theta
    "bf16-tied": dict(dim=48, layers=2, heads=4, kv=4, ffn=96, ctx=64, theta=500000.0, eps=1e-5, tie=True,
                      dtype=torch.bfloat16, std=0.2, shards=1, scaling=None),
    # TinyLlama / Mistral style: untied, grouped-query attention, f16
    "f16-gqa": dict(dim=64, layers=2, heads=8, kv=2, ffn=112, ctx=64, theta=10000.0, eps=1e-6, tie=False,
                    dtype=torch.float16, std=0.2, shards=1, scaling=None),
    # a sharded f32 checkpoint (3 shards)
    "sharded": dict(dim=32, layers=3, heads=4, kv=2, ffn=64, ctx=64, theta=10000.0, eps=1e-5, tie=False,
                    dtype=torch.float32, std=0.2, shards=3, scaling=None),
    # Llama-3.1 shape: rope_scaling llama3 with a short original context, so the 8 rotary pairs of a
    # head fall in all three bands (wavelength 6.3 kept, 32.5 blended, the rest slowed 8x)
    "llama3": dict(dim=64, layers=2, heads=4, kv=2, ffn=128, ctx=128, theta=500000.0, eps=1e-5, tie=False,
                   dtype=torch.bfloat16, std=0.25, shards=1,
                   scaling={"factor": 8.0, "low_freq_factor": 0.5, "high_freq_factor": 4.0,
                            "original_max_position_embeddings": 32, "rope_type": "llama3"}),
}


def hf_names(layers, tie):
    names = ["model.embed_tokens.weight"]
    for i in range(layers):
        p = f"model.layers.{i}."
        names += [p + "input_layernorm.weight", p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
                  p + "self_attn.v_proj.weight", p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight",
                  p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight"]
    names.append("model.norm.weight")
    if not tie:
        names.append("lm_head.weight")
    return names


def write_safetensors(path, tensors):
    """The safetensors layout: u64 LE header length, JSON header (padded to 8), raw LE data."""
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype in (torch.bfloat16, torch.float16) else t.numpy().tobytes()
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        buf = bytearray(data[8 + n + a:8 + n + b])
        dt = DTYPES[e["dtype"]]
        if dt in (torch.bfloat16, torch.float16):
            t = torch.frombuffer(buf, dtype=torch.int16).view(dt)
        else:
            t = torch.frombuffer(buf, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
    return out


def read_folder(folder):
    single = os.path.join(folder, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(folder, "model.safetensors.index.json")) as f:
        index = json.load(f)
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(os.path.join(folder, shard)))
    return out


def make(kind, out, vocab, tokenizer=None, seed=0):
    k = KINDS[kind]
    g = torch.Generator().manual_seed(seed)
    d, f, hd = k["dim"], k["ffn"], k["dim"] // k["heads"]
    shapes = {"model.embed_tokens.weight": (vocab, d), "model.norm.weight": (d,), "lm_head.weight": (vocab, d)}
    for i in range(k["layers"]):
        p = f"model.layers.{i}."
        shapes.update({p + "input_layernorm.weight": (d,), p + "post_attention_layernorm.weight": (d,),
                       p + "self_attn.q_proj.weight": (k["heads"] * hd, d), p + "self_attn.k_proj.weight": (k["kv"] * hd, d),
                       p + "self_attn.v_proj.weight": (k["kv"] * hd, d), p + "self_attn.o_proj.weight": (d, k["heads"] * hd),
                       p + "mlp.gate_proj.weight": (f, d), p + "mlp.up_proj.weight": (f, d), p + "mlp.down_proj.weight": (d, f)})
    tensors = {}
    for name in hf_names(k["layers"], k["tie"]):
        shape = shapes[name]
        if len(shape) == 1:  # norms near one, not exactly: a wrong norm weight must show
            t = 1.0 + 0.2 * torch.randn(shape, generator=g, dtype=torch.float64)
        else:
            t = k["std"] * torch.randn(shape, generator=g, dtype=torch.float64)
        tensors[name] = t.to(k["dtype"])
    os.makedirs(out, exist_ok=True)
    names = list(tensors)
    if k["shards"] == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), tensors)
    else:
        per = math.ceil(len(names) / k["shards"])
        weight_map, total = {}, 0
        for s in range(k["shards"]):
            part = {n: tensors[n] for n in names[s * per:(s + 1) * per]}
            fname = f"model-{s + 1:05d}-of-{k['shards']:05d}.safetensors"
            write_safetensors(os.path.join(out, fname), part)
            for n, t in part.items():
                weight_map[n] = fname
                total += t.numel() * t.element_size()
        with open(os.path.join(out, "model.safetensors.index.json"), "w") as fh:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, fh, indent=2)
    bos, eos = 0, 0
    if tokenizer:
        shutil.copy(tokenizer, os.path.join(out, "tokenizer.json"))
        with open(tokenizer) as fh:
            added = {a["content"]: a["id"] for a in json.load(fh).get("added_tokens", [])}
        bos = eos = added.get("<|endoftext|>", 0)
        with open(os.path.join(out, "tokenizer_config.json"), "w") as fh:
            json.dump({"eos_token": "<|endoftext|>", "bos_token": "<|endoftext|>", "model_max_length": k["ctx"],
                       "tokenizer_class": "PreTrainedTokenizerFast"}, fh, indent=2)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "attention_bias": False, "attention_dropout": 0.0,
              "bos_token_id": bos, "eos_token_id": eos, "hidden_act": "silu", "hidden_size": d, "initializer_range": 0.02,
              "intermediate_size": f, "max_position_embeddings": k["ctx"], "mlp_bias": False,
              "num_attention_heads": k["heads"], "num_hidden_layers": k["layers"], "num_key_value_heads": k["kv"],
              "pretraining_tp": 1, "rms_norm_eps": k["eps"], "rope_scaling": k["scaling"], "rope_theta": k["theta"],
              "tie_word_embeddings": k["tie"], "torch_dtype": TORCH_DTYPE[k["dtype"]], "transformers_version": "4.45.0",
              "use_cache": True, "vocab_size": vocab}
    if kind == "f16-gqa":  # Mistral writes these; null window = full attention
        config.update({"sliding_window": None, "head_dim": hd})
    with open(os.path.join(out, "config.json"), "w") as fh:
        json.dump(config, fh, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as fh:
        json.dump({"_from_model_config": True, "bos_token_id": bos, "eos_token_id": eos, "transformers_version": "4.45.0"}, fh, indent=2)


def peer_model(folder, dtype):
    with open(os.path.join(folder, "config.json")) as fh:
        c = json.load(fh)
    scaling = c.get("rope_scaling")
    cfg = peer.Config(dim=c["hidden_size"], layers=c["num_hidden_layers"], heads=c["num_attention_heads"],
                      kv_heads=c.get("num_key_value_heads", c["num_attention_heads"]), ffn=c["intermediate_size"],
                      vocab=c["vocab_size"], ctx=c["max_position_embeddings"], norm_eps=c["rms_norm_eps"],
                      rope_theta=c.get("rope_theta", 10000.0), tie=c.get("tie_word_embeddings", False),
                      rope_scaling=scaling if scaling and scaling.get("rope_type") == "llama3" else None).validate()
    model = peer.build(cfg, dtype=dtype)
    w = read_folder(folder)
    meta = {"model.embed_tokens.weight": "tok_embeddings.weight", "model.norm.weight": "norm.weight", "lm_head.weight": "output.weight"}
    per_layer = {"input_layernorm.weight": "attention_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
                 "self_attn.q_proj.weight": "attention.wq.weight", "self_attn.k_proj.weight": "attention.wk.weight",
                 "self_attn.v_proj.weight": "attention.wv.weight", "self_attn.o_proj.weight": "attention.wo.weight",
                 "mlp.gate_proj.weight": "feed_forward.w1.weight", "mlp.up_proj.weight": "feed_forward.w3.weight",
                 "mlp.down_proj.weight": "feed_forward.w2.weight"}
    for i in range(cfg.layers):
        for a, b in per_layer.items():
            meta[f"model.layers.{i}.{a}"] = f"layers.{i}.{b}"
    params = dict(model.named_parameters())
    with torch.no_grad():
        for hf, name in meta.items():
            if hf == "lm_head.weight" and cfg.tie:
                continue
            params[name].copy_(w[hf].to(dtype))
    return model


def logprobs(folder, tokens_file, out_file, dtype=torch.float64):
    model = peer_model(folder, dtype)
    with open(tokens_file) as fh:
        rows = json.load(fh)
    out = []
    with torch.no_grad():
        for row in rows:
            x = torch.tensor([row], dtype=torch.long)
            logp = torch.log_softmax(model(x[:, :-1]).to(torch.float64), dim=-1)
            out.append(logp[0].gather(-1, x[0, 1:, None])[:, 0].tolist())
    with open(out_file, "w") as fh:
        json.dump(out, fh)


def main(argv=None):
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("kind", choices=sorted(KINDS))
    m.add_argument("out")
    m.add_argument("--vocab", type=int, required=True)
    m.add_argument("--tokenizer")
    m.add_argument("--seed", type=int, default=0)
    lp = sub.add_parser("logprobs")
    lp.add_argument("folder")
    lp.add_argument("tokens")
    lp.add_argument("out")
    lp.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    if a.cmd == "make":
        make(a.kind, a.out, a.vocab, a.tokenizer, a.seed)
    else:
        logprobs(a.folder, a.tokens, a.out, getattr(torch, a.dtype))
    return 0


if __name__ == "__main__":
    sys.exit(main())
