package rho4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The BOS and EOS ids a model folder's config.json and generation_config.json declare, read from its tokenizer
 * files alone (no encoder needed): BOS is the special token the post-processor's template puts first (Llama-2,
 * TinyLlama, Llama-3.1), else tokenizer_config.json's bos_token; EOS is tokenizer_config.json's eos_token, else the
 * first end-of-text token present, else the template's last special token. A tokenizer with no BOS of its own
 * (GPT-2 style, the files {@code rho tokenizer train} writes) uses its EOS for both, as GPT-2's config does.
 */
public record TokenizerSpecials(int bosId, int eosId) {
    private static final String[] EOS_NAMES = {"<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|im_end|>"};

    /** Reads tokenizer.json (and a tokenizer_config.json beside it); null when neither yields an EOS. */
    public static TokenizerSpecials of(Path tokenizerJson) throws IOException {
        ObjectMapper om = new ObjectMapper();
        JsonNode tok;
        try {
            tok = om.readTree(tokenizerJson.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(tokenizerJson + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        Path cfgFile = tokenizerJson.toAbsolutePath().resolveSibling("tokenizer_config.json");
        JsonNode cfg = null;
        if (Files.isRegularFile(cfgFile)) {
            try {
                cfg = om.readTree(cfgFile.toFile());
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IOException(cfgFile + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
        }
        int[] template = templateIds(tok.path("post_processor"));
        int bos = template.length > 0 && template[0] >= 0 ? template[0] : idOf(tok, tokenName(cfg, "bos_token"));
        int eos = idOf(tok, tokenName(cfg, "eos_token"));
        for (int i = 0; eos < 0 && i < EOS_NAMES.length; i++) eos = idOf(tok, EOS_NAMES[i]);
        if (eos < 0 && template.length > 1) eos = template[1];
        if (eos < 0) return null;
        return new TokenizerSpecials(bos >= 0 ? bos : eos, eos);
    }

    /** {first special id before $A, last special id after $A} of a TemplateProcessing (inside a Sequence too); -1 when absent. */
    private static int[] templateIds(JsonNode pp) {
        if ("Sequence".equals(pp.path("type").asText()))
            for (JsonNode p : pp.path("processors")) {
                int[] t = templateIds(p);
                if (t.length > 0) return t;
            }
        if (!"TemplateProcessing".equals(pp.path("type").asText())) return new int[0];
        JsonNode single = pp.path("single");
        int first = -1, last = -1;
        boolean seenSequence = false;
        for (JsonNode piece : single) {
            if (piece.has("Sequence")) {
                seenSequence = true;
                continue;
            }
            String id = piece.path("SpecialToken").path("id").asText(null);
            JsonNode ids = id == null ? null : pp.path("special_tokens").path(id).path("ids");
            if (ids == null || ids.size() != 1) continue;
            if (!seenSequence && first < 0) first = ids.get(0).asInt();
            if (seenSequence) last = ids.get(0).asInt();
        }
        return new int[] {first, last};
    }

    /** tokenizer_config.json's token: a string or {"content": ...}; null when not given. */
    private static String tokenName(JsonNode cfg, String key) {
        if (cfg == null) return null;
        JsonNode t = cfg.get(key);
        if (t == null || t.isNull()) return null;
        return t.isTextual() ? t.asText() : t.path("content").asText(null);
    }

    private static int idOf(JsonNode tok, String name) {
        if (name == null) return -1;
        for (JsonNode a : tok.path("added_tokens")) if (name.equals(a.path("content").asText())) return a.path("id").asInt();
        JsonNode v = tok.path("model").path("vocab");
        return v.isObject() && v.has(name) ? v.get(name).asInt() : -1;
    }
}
