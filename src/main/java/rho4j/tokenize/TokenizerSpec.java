package rho4j.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Everything a byte-level BPE tokenizer.json holds that affects encoding or decoding, independent of
 * the JSON layout (read and written by {@link TokenizerJson}, produced by {@link BpeTrainer}).
 *
 * @param vocab        token string (GPT-2 byte alphabet) by id; null where the id is unused
 * @param mergeLeft    left token id of each merge, in rank order
 * @param mergeRight   right token id of each merge
 * @param addedTokens  added tokens in id order (special tokens among them)
 * @param preTokenizer the pre_tokenizer node (kept as loaded so saving reproduces it)
 * @param postProcessor the post_processor node, or null; we never add tokens on encode
 * @param decoder      the decoder node (ByteLevel or null)
 * @param ignoreMerges HF's model.ignore_merges (Llama-3): a word that is itself a token skips merging
 *     <p>Holds arrays, so record equality is identity; compare tokenizers by {@link ByteLevelBpe#hash}.
 */
record TokenizerSpec(String[] vocab, int[] mergeLeft, int[] mergeRight, List<AddedToken> addedTokens,
                     JsonNode preTokenizer, JsonNode postProcessor, JsonNode decoder, boolean ignoreMerges) {}
