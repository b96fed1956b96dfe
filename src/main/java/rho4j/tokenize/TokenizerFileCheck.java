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
        // The library parses each component through serde_json's Value and aborts the process (a panic across JNI)
        // on a number no double can hold, e.g. 1e400; component fields are counts and ids, so integers in range.
        if (hasNonFinite(root)) finiteNumbers(source, "$", root); // the walk that names the field only when needed
        for (String c : new String[] {"normalizer", "pre_tokenizer", "post_processor", "decoder", "truncation", "padding"}) {
            smallIntegers(source, "$." + c, root.path(c));
        }
        stripDecoders(source, "$.decoder", root.path("decoder"));
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
        // The library ignores an added token's id: one already in model.vocab keeps that id, any other gets the next
        // id after the vocabulary and the added tokens before it. A file whose ids say otherwise would encode to ids
        // the file does not describe, so it is refused.
        int modelSize = ids.size();
        Map<String, Integer> addedIds = new HashMap<>();
        int maxAdded = -1;
        for (int i = 0; i < added.size(); i++) {
            JsonNode a = added.get(i);
            String where = "$.added_tokens[" + i + "]";
            if (!a.isObject() || !a.path("content").isTextual()) throw bad(source, where, "expected {\"id\": int, \"content\": string, ...}");
            String content = a.get("content").asText();
            token(source, where + ".content", content);
            int id = id(source, where + ".id", a.path("id"));
            Integer known = addedIds.containsKey(content) ? addedIds.get(content) : ids.get(content);
            int libraryId = known != null ? known : maxAdded < 0 ? modelSize : maxAdded >= modelSize ? maxAdded + 1 : modelSize;
            if (id != libraryId)
                throw bad(source, where + ".id", "id " + id + " for " + TokenizerJson.quote(clip(content)) + ", but the tokenizers library gives it id "
                        + libraryId + (known != null ? " (its id in model.vocab)" : " (the next id after the vocabulary)"));
            addedIds.put(content, id);
            maxAdded = Math.max(maxAdded, id);
            used.set(id);
            ids.put(content, id);
        }
        int size = used.length();
        if (size == 0) throw bad(source, "$.model.vocab", "the vocabulary is empty");
        int gap = used.nextClearBit(0);
        if (gap < size)
            throw bad(source, "$.model.vocab", "no token has id " + gap + " although ids go up to " + (size - 1)
                    + "; ids must run 0.." + (size - 1) + " without gaps");
        postProcessor(source, "$.post_processor", root.path("post_processor"), size);
        JsonNode merges = model.path("merges");
        if (!merges.isMissingNode() && !merges.isNull()) {
            if (!merges.isArray()) throw bad(source, "$.model.merges", "expected an array of merges");
            if (merges.size() > MAX_MERGES) throw bad(source, "$.model.merges", merges.size() + " merges exceed the limit of " + MAX_MERGES);
            // The library cuts continuing_subword_prefix off each merge's right part unchecked (a panic, which aborts
            // the JVM, when the part is shorter or does not start with it).
            JsonNode prefix = model.path("continuing_subword_prefix");
            if ("BPE".equals(type) && prefix.isTextual() && !prefix.asText().isEmpty()) {
                for (int i = 0; i < merges.size(); i++) {
                    JsonNode m = merges.get(i);
                    String right = m.isTextual() && m.asText().indexOf(' ') >= 0 ? m.asText().substring(m.asText().indexOf(' ') + 1)
                            : m.isArray() && m.size() == 2 && m.get(1).isTextual() ? m.get(1).asText() : null;
                    if (right != null && !right.startsWith(prefix.asText()))
                        throw bad(source, "$.model.merges[" + i + "]", "the right part " + TokenizerJson.quote(clip(right))
                                + " does not begin with continuing_subword_prefix " + TokenizerJson.quote(clip(prefix.asText())));
                }
            }
        }
        return new Facts(root, size, ids, type == null ? "?" : type);
    }

    /**
     * Template pieces must name an entry of special_tokens (the library looks them up unchecked: a panic), and every id
     * a post-processor adds must be in the vocabulary, or a store would hold ids the model cannot embed.
     */
    private static void postProcessor(String source, String where, JsonNode n, int size) throws IOException {
        if (n.isMissingNode() || n.isNull()) return;
        // The library reads components untagged when "type" is missing, so they are recognised by their fields too.
        String type = n.path("type").asText();
        if (n.has("single") || n.has("pair") || n.has("special_tokens")) type = "TemplateProcessing";
        else if (n.has("processors")) type = "Sequence";
        else if (n.has("sep") || n.has("cls")) type = "BertProcessing";
        if ("Sequence".equals(type)) {
            JsonNode list = n.path("processors");
            for (int i = 0; i < list.size(); i++) postProcessor(source, where + ".processors[" + i + "]", list.get(i), size);
        } else if ("TemplateProcessing".equals(type)) {
            JsonNode specials = n.path("special_tokens");
            for (Iterator<Map.Entry<String, JsonNode>> it = specials.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals(e.getValue().path("id").asText(null)))
                    throw bad(source, where + ".special_tokens[" + TokenizerJson.quote(clip(e.getKey())) + "].id", "must repeat its key "
                            + TokenizerJson.quote(clip(e.getKey())) + " (the library looks entries up by it)");
                JsonNode ids = e.getValue().path("ids");
                for (int i = 0; i < ids.size(); i++) {
                    if (ids.get(i).isIntegralNumber() && ids.get(i).canConvertToLong() && ids.get(i).longValue() >= size)
                        throw bad(source, where + ".special_tokens[" + TokenizerJson.quote(clip(e.getKey())) + "].ids[" + i + "]",
                                "id " + ids.get(i).asText() + " is not in the vocabulary of " + size + " ids");
                }
            }
            for (String template : new String[] {"single", "pair"}) {
                JsonNode pieces = n.path(template);
                for (int i = 0; i < pieces.size(); i++) {
                    JsonNode st = pieces.get(i).path("SpecialToken");
                    if (st.isObject() && !specials.has(st.path("id").asText()))
                        throw bad(source, where + "." + template + "[" + i + "].SpecialToken.id", TokenizerJson.quote(clip(st.path("id").asText()))
                                + " is not among the post-processor's special_tokens");
                }
            }
        } else if ("BertProcessing".equals(type) || "RobertaProcessing".equals(type)) {
            for (String k : new String[] {"sep", "cls"}) {
                JsonNode id = n.path(k).path(1);
                if (id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= size)
                    throw bad(source, where + "." + k + "[1]", "id " + id.asText() + " is not in the vocabulary of " + size + " ids");
            }
        }
    }

    /** The library's Strip decoder indexes before the start of an empty piece when stop &gt; 0 (a panic that aborts the JVM). */
    private static void stripDecoders(String source, String where, JsonNode n) throws IOException {
        if (n.has("stop") && !n.path("stop").asText().equals("0"))
            throw bad(source, where + ".stop", "a Strip decoder with stop " + clip(n.path("stop").asText())
                    + " crashes the tokenizers library on empty pieces; published files use stop 0");
        JsonNode list = n.path("decoders");
        for (int i = 0; i < list.size(); i++) stripDecoders(source, where + ".decoders[" + i + "]", list.get(i));
    }

    private static boolean hasNonFinite(JsonNode n) {
        if (n.isNumber()) return !Double.isFinite(n.doubleValue());
        if (n.isContainerNode()) for (JsonNode c : n) if (hasNonFinite(c)) return true;
        return false;
    }

    private static void finiteNumbers(String source, String where, JsonNode n) throws IOException {
        if (n.isNumber() && !Double.isFinite(n.doubleValue())) throw bad(source, where, "the number " + clip(n.asText()) + " is out of range");
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                finiteNumbers(source, where + "." + clip(e.getKey()), e.getValue());
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) finiteNumbers(source, where + "[" + i + "]", n.get(i));
        }
    }

    private static void smallIntegers(String source, String where, JsonNode n) throws IOException {
        if (n.isNumber() && !(n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0 && n.longValue() < Integer.MAX_VALUE))
            throw bad(source, where, "expected a non-negative integer below 2^31, got " + clip(n.asText()));
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                smallIntegers(source, where + "." + clip(e.getKey()), e.getValue());
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) smallIntegers(source, where + "[" + i + "]", n.get(i));
        }
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
