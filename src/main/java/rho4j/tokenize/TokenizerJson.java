package rho4j.tokenize;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the Hugging Face tokenizer.json layout for byte-level BPE. The writer is
 * hand-rolled with a fixed key order and layout so its bytes are canonical: {@link ByteLevelBpe#hash}
 * hashes them, and save -> load -> save reproduces them exactly.
 */
final class TokenizerJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJson() {}

    static TokenizerSpec read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses tokenizer.json bytes; {@code source} names the file in error messages. */
    static TokenizerSpec parse(byte[] json, String source) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(source + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw bad(source, "$", "expected a JSON object (a Hugging Face tokenizer.json)");
        JsonNode normalizer = root.path("normalizer");
        if (!normalizer.isMissingNode() && !normalizer.isNull())
            throw bad(source, "$.normalizer", "normalizers are not supported; byte-level BPE files (GPT-2, Llama-3) have null here");
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText(null)))
            throw bad(source, "$.model.type", "expected \"BPE\", got " + model.path("type"));
        for (String unsupported : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode n = model.path(unsupported);
            if (!n.isMissingNode() && !n.isNull() && !n.asText().isEmpty())
                throw bad(source, "$.model." + unsupported, "must be null for byte-level BPE");
        }
        if (model.path("byte_fallback").asBoolean(false))
            throw bad(source, "$.model.byte_fallback", "byte_fallback (SentencePiece-style BPE) is not byte-level BPE");

        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject()) throw bad(source, "$.model.vocab", "expected an object mapping token -> id");
        Map<String, Integer> ids = new HashMap<>(vocabNode.size() * 2);
        int maxId = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0)
                throw bad(source, "$.model.vocab[" + quote(e.getKey()) + "]", "expected a non-negative integer id");
            ids.put(e.getKey(), e.getValue().asInt());
            maxId = Math.max(maxId, e.getValue().asInt());
        }
        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (int i = 0; i < addedNode.size(); i++) {
            JsonNode a = addedNode.get(i);
            if (!a.path("id").canConvertToInt() || !a.path("content").isTextual())
                throw bad(source, "$.added_tokens[" + i + "]", "expected {\"id\": int, \"content\": string, ...}");
            added.add(new AddedToken(a.get("id").asInt(), a.get("content").asText(), a.path("special").asBoolean(false)));
            maxId = Math.max(maxId, a.get("id").asInt());
        }
        added.sort((x, y) -> Integer.compare(x.id(), y.id()));
        String[] vocab = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            if (vocab[e.getValue()] != null)
                throw bad(source, "$.model.vocab", "id " + e.getValue() + " is used by both " + quote(vocab[e.getValue()]) + " and " + quote(e.getKey()));
            vocab[e.getValue()] = e.getKey();
        }

        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) throw bad(source, "$.model.merges", "expected an array of merges");
        int[] left = new int[mergesNode.size()], right = new int[mergesNode.size()];
        for (int i = 0; i < mergesNode.size(); i++) {
            JsonNode m = mergesNode.get(i);
            String a, b;
            if (m.isTextual()) { // legacy "a b" form; byte-level tokens never contain a plain space
                String s = m.asText();
                int sp = s.indexOf(' ');
                if (sp < 0 || s.indexOf(' ', sp + 1) >= 0) throw bad(source, "$.model.merges[" + i + "]", "expected \"left right\", got " + quote(s));
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            } else {
                throw bad(source, "$.model.merges[" + i + "]", "expected \"left right\" or [\"left\", \"right\"]");
            }
            Integer ia = ids.get(a), ib = ids.get(b);
            if (ia == null || ib == null || !ids.containsKey(a + b))
                throw bad(source, "$.model.merges[" + i + "]", "merge " + quote(a) + " + " + quote(b) + " uses or makes a token missing from model.vocab");
            left[i] = ia;
            right[i] = ib;
        }
        for (int b = 0; b < 256; b++) {
            if (!ids.containsKey(String.valueOf(ByteLevelAlphabet.charOf(b))))
                throw bad(source, "$.model.vocab", "byte 0x" + Integer.toHexString(b) + " has no token " + quote(String.valueOf(ByteLevelAlphabet.charOf(b)))
                        + "; this is not a byte-level BPE vocabulary");
        }
        JsonNode decoder = root.path("decoder");
        if (!decoder.isMissingNode() && !decoder.isNull() && !"ByteLevel".equals(decoder.path("type").asText()))
            throw bad(source, "$.decoder", "only the ByteLevel decoder is supported, got " + decoder.path("type"));
        return new TokenizerSpec(vocab, left, right, List.copyOf(added), nullToNull(root.path("pre_tokenizer")),
                nullToNull(root.path("post_processor")), nullToNull(decoder), model.path("ignore_merges").asBoolean(false));
    }

    private static JsonNode nullToNull(JsonNode n) {
        return n.isMissingNode() ? NullNode.getInstance() : n;
    }

    /** The canonical tokenizer.json bytes of {@code spec}. */
    static byte[] write(TokenizerSpec spec) {
        StringBuilder sb = new StringBuilder(64 + spec.vocab().length * 24 + spec.mergeLeft().length * 24);
        sb.append("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [");
        List<AddedToken> added = spec.addedTokens();
        for (int i = 0; i < added.size(); i++) {
            AddedToken t = added.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(t.id()).append(", \"content\": ").append(quote(t.content()))
                    .append(", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": ")
                    .append(t.special()).append('}');
        }
        sb.append(added.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"normalizer\": null,\n");
        sb.append("  \"pre_tokenizer\": ").append(compact(spec.preTokenizer())).append(",\n");
        sb.append("  \"post_processor\": ").append(compact(spec.postProcessor())).append(",\n");
        sb.append("  \"decoder\": ").append(compact(spec.decoder())).append(",\n");
        sb.append("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
                .append("    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n")
                .append("    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": ").append(spec.ignoreMerges()).append(",\n")
                .append("    \"vocab\": {");
        String[] vocab = spec.vocab();
        boolean first = true;
        for (int id = 0; id < vocab.length; id++) {
            if (vocab[id] == null) continue;
            sb.append(first ? "\n" : ",\n").append("      ").append(quote(vocab[id])).append(": ").append(id);
            first = false;
        }
        sb.append(first ? "},\n" : "\n    },\n").append("    \"merges\": [");
        for (int r = 0; r < spec.mergeLeft().length; r++) {
            sb.append(r == 0 ? "\n" : ",\n").append("      [").append(quote(vocab[spec.mergeLeft()[r]])).append(", ")
                    .append(quote(vocab[spec.mergeRight()[r]])).append(']');
        }
        sb.append(spec.mergeLeft().length == 0 ? "]\n" : "\n    ]\n").append("  }\n}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String compact(JsonNode n) {
        try {
            return n == null ? "null" : MAPPER.writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + n, e);
        }
    }

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private static IOException bad(String source, String jsonPath, String what) {
        return new IOException(source + ": at " + jsonPath + ": " + what);
    }
}
