/**
 * Tokenization. {@link rho4j.tokenize.HfTokenizer} encodes any Hugging Face tokenizer.json through the Rust
 * {@code tokenizers} library (after {@link rho4j.tokenize.TokenizerFileCheck}); it is what stores, prompts and
 * generation use. {@link rho4j.tokenize.ByteLevelBpe}, a byte-level BPE (GPT-2 / Llama-3 style), trains
 * tokenizers ({@code rho tokenizer train}), reads and writes tokenizer.json, and stays an independent encoder for
 * tests; both implement {@link rho4j.tokenize.TextEncoder}.
 *
 * <p>Ids of tokenizers trained here: 0..255 bytes (GPT-2 order), then merges, then the special
 * tokens last ({@code <|endoftext|>} = vocabSize-2, {@code <|pad|>} = vocabSize-1 with the default
 * options). {@link rho4j.tokenize.TokenizerBench} measures training time and encode MB/s.
 */
package rho4j.tokenize;
