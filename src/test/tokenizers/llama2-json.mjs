// Writes DIR/llama2/tokenizer.json: Llama-2's vocabulary and merges as llama-tokenizer-js carries them, in the
// layout Hugging Face publishes for meta-llama/Llama-2-7b-hf (SentencePiece-style BPE with byte fallback).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const mod = await import(pathToFileURL(path.join(dir, "node_modules/llama-tokenizer-js/llama-tokenizer.js")));
const t = mod.default;
const vocab = {};
t.vocabById.forEach((s, id) => { vocab[s] = id; });
// The merges map's insertion order is the merge priority (data-conversion.py packs them in rank order).
const merges = [...t.merges.keys()].map(k => {
  const i = k.indexOf(" ");
  return [k.slice(0, i), k.slice(i + 1)];
});
const special = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const json = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
  normalizer: { type: "Sequence", normalizers: [
    { type: "Prepend", prepend: "\u2581" },
    { type: "Replace", pattern: { String: " " }, content: "\u2581" }] },
  pre_tokenizer: null,
  post_processor: { type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
           { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } } },
  decoder: { type: "Sequence", decoders: [
    { type: "Replace", pattern: { String: "\u2581" }, content: " " },
    { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
  model: { type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges },
};
fs.mkdirSync(path.join(dir, "llama2"), { recursive: true });
fs.writeFileSync(path.join(dir, "llama2", "tokenizer.json"), JSON.stringify(json));
console.log(`llama2/tokenizer.json: ${Object.keys(vocab).length} tokens, ${merges.length} merges`);
