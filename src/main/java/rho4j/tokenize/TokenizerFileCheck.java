package rho4j.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks a tokenizer.json before the Rust library sees it: ids must be integers in {@code [0, MAX_IDS)}
 * covering {@code 0..max} without gaps, and sizes stay bounded. A hostile or damaged file would otherwise
 * reach native code (which sizes tables by the largest id) or give a store ids the model cannot embed.
 * Every failure is one line naming the file and the JSON field.
 */
final class TokenizerFileCheck {
    /** Far above every published vocabulary (the largest are about 256k ids) and well below 2^31. */
    static final int MAX_IDS = 1 << 21;
    static final int MAX_MERGES = 4 * MAX_IDS;
    static final int MAX_TOKEN_CHARS = 4096;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the check learned: the id range and the string of every id (vocab and added tokens). */
    record Facts(JsonNode root, int vocabSize, Map<String, Integer> ids, String modelType) {}

    private TokenizerFileCheck() {}

    static Facts check(byte[] json, String source) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(source + ": not valid JSON (" + oneLine(e.getOriginalMessage()) + "); re-download or re-export the tokenizer");
        }
        if (root == null || !root.isObject()) throw bad(source, "$", "expected a JSON object (a Hugging Face tokenizer.json)");
        JsonNode model = root.path("model");
        if (!model.isObject()) throw bad(source, "$.model", "expected an object with the tokenizer model");
        String type = model.path("type").isTextual() ? model.get("type").asText() : null;
        Map<String, Integer> ids = new HashMap<>();
        BitSet used = new BitSet();
        JsonNode vocab = model.path("vocab");
        if ("Unigram".equals(type) || vocab.isArray()) {
            if (!vocab.isArray()) throw bad(source, "$.model.vocab", "expected an array of [piece, score] for a Unigram model");
            if (vocab.size() > MAX_IDS) throw bad(source, "$.model.vocab", vocab.size() + " entries exceed the limit of " + MAX_IDS);
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode e = vocab.get(i);
                if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber())
                    throw bad(source, "$.model.vocab[" + i + "]", "expected [piece, score]");
                token(source, "$.model.vocab[" + i + "]", e.get(0).asText());
                ids.putIfAbsent(e.get(0).asText(), i);
                used.set(i);
            }
        } else {
            if (!vocab.isObject()) throw bad(source, "$.model.vocab", "expected an object mapping token -> id");
            if (vocab.size() > MAX_IDS) throw bad(source, "$.model.vocab", vocab.size() + " entries exceed the limit of " + MAX_IDS);
            for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String where = "$.model.vocab[" + TokenizerJson.quote(clip(e.getKey())) + "]";
                token(source, where, e.getKey());
                int id = id(source, where, e.getValue());
                if (used.get(id)) throw bad(source, where, "id " + id + " is given to two tokens");
                used.set(id);
                ids.put(e.getKey(), id);
            }
        }
        JsonNode added = root.path("added_tokens");
        if (!added.isMissingNode() && !added.isNull() && !added.isArray()) throw bad(source, "$.added_tokens", "expected an array");
        if (added.size() > MAX_IDS) throw bad(source, "$.added_tokens", added.size() + " entries exceed the limit of " + MAX_IDS);
        for (int i = 0; i < added.size(); i++) {
            JsonNode a = added.get(i);
            String where = "$.added_tokens[" + i + "]";
            if (!a.isObject() || !a.path("content").isTextual()) throw bad(source, where, "expected {\"id\": int, \"content\": string, ...}");
            token(source, where + ".content", a.get("content").asText());
            int id = id(source, where + ".id", a.path("id"));
            used.set(id);
            ids.put(a.get("content").asText(), id);
        }
        int size = used.length();
        if (size == 0) throw bad(source, "$.model.vocab", "the vocabulary is empty");
        int gap = used.nextClearBit(0);
        if (gap < size)
            throw bad(source, "$.model.vocab", "no token has id " + gap + " although ids go up to " + (size - 1)
                    + "; ids must run 0.." + (size - 1) + " without gaps");
        JsonNode merges = model.path("merges");
        if (!merges.isMissingNode() && !merges.isNull()) {
            if (!merges.isArray()) throw bad(source, "$.model.merges", "expected an array of merges");
            if (merges.size() > MAX_MERGES) throw bad(source, "$.model.merges", merges.size() + " merges exceed the limit of " + MAX_MERGES);
        }
        return new Facts(root, size, ids, type == null ? "?" : type);
    }

    private static int id(String source, String where, JsonNode n) throws IOException {
        if (!n.isNumber()) throw bad(source, where, "expected an integer id, got " + clip(String.valueOf(n)));
        if (!n.isIntegralNumber()) throw bad(source, where, "id " + clip(n.asText()) + " is not an integer");
        if (!n.canConvertToLong() || n.longValue() < 0 || n.longValue() >= MAX_IDS)
            throw bad(source, where, "id " + clip(n.asText()) + " is outside [0, " + MAX_IDS + "); no real vocabulary is that large");
        return n.intValue();
    }

    private static void token(String source, String where, String t) throws IOException {
        if (t.length() > MAX_TOKEN_CHARS) throw bad(source, where, "a token of " + t.length() + " characters (limit " + MAX_TOKEN_CHARS + ")");
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    static String oneLine(String s) {
        if (s == null) return "no message";
        String t = s.replaceAll("\\s+", " ").trim();
        return t.length() <= 300 ? t : t.substring(0, 300) + "...";
    }

    static IOException bad(String source, String field, String what) {
        return new IOException(source + ": at " + field + ": " + oneLine(what)
                + " (use the tokenizer.json published with the model, or re-export it)");
    }
}
