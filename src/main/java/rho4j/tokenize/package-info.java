/**
 * Tokenization: {@link rho4j.tokenize.ByteLevelBpe}, a byte-level BPE (GPT-2 / Llama-3 style) that
 * trains on a text stream, reads and writes Hugging Face tokenizer.json, and implements
 * {@link rho4j.tokenize.TextEncoder}.
 *
 * <p>Ids of tokenizers trained here: 0..255 bytes (GPT-2 order), then merges, then the special
 * tokens last ({@code <|endoftext|>} = vocabSize-2, {@code <|pad|>} = vocabSize-1 with the default
 * options). {@link rho4j.tokenize.TokenizerBench} measures training time and encode MB/s.
 */
package rho4j.tokenize;
