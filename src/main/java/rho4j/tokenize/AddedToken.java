package rho4j.tokenize;

/** An entry of tokenizer.json's added_tokens: a whole string with a fixed id, never split by BPE. */
public record AddedToken(int id, String content, boolean special) {}
