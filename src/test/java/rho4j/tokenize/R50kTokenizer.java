package rho4j.tokenize;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 as a Hugging Face tokenizer.json, built from the r50k_base ranks that jtokkit ships
 * (base64 token bytes + rank per line), plus jtokkit's own encoder to compare against.
 *
 * <p>Merges are derived the way Hugging Face's tiktoken converter does: every split of a token
 * into two tokens becomes a merge, ordered by the rank of the token they make. Lowest-rank-result
 * first is exactly tiktoken's rule, so BPE with these merges reproduces tiktoken's ids.
 */
final class R50kTokenizer {
    static final int EOT = 50256;
    private static volatile byte[] json;

    private R50kTokenizer() {}

    static Encoding jtokkit() {
        return Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    static synchronized ByteLevelBpe load() throws IOException {
        if (json == null) json = buildJson();
        return ByteLevelBpe.fromJson(json, "r50k_base (from jtokkit)");
    }

    static byte[] buildJson() throws IOException {
        List<byte[]> byRank = readRanks();
        Map<String, Integer> rankOf = new HashMap<>();
        String[] vocab = new String[byRank.size() + 1];
        for (int r = 0; r < byRank.size(); r++) {
            vocab[r] = ByteLevelAlphabet.toTokenString(byRank.get(r));
            rankOf.put(vocab[r], r);
        }
        vocab[EOT] = "<|endoftext|>";
        List<int[]> merges = new ArrayList<>();
        for (int r = 0; r < byRank.size(); r++) {
            String t = vocab[r];
            List<int[]> local = new ArrayList<>();
            for (int i = 1; i < t.length(); i++) {
                Integer a = rankOf.get(t.substring(0, i)), b = rankOf.get(t.substring(i));
                if (a != null && b != null) local.add(new int[] {a, b});
            }
            local.sort((x, y) -> x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
            merges.addAll(local);
        }
        int[] left = merges.stream().mapToInt(m -> m[0]).toArray(), right = merges.stream().mapToInt(m -> m[1]).toArray();
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var pre = mapper.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        TokenizerSpec spec = new TokenizerSpec(vocab, left, right, List.of(new AddedToken(EOT, "<|endoftext|>", true)), pre,
                com.fasterxml.jackson.databind.node.NullNode.getInstance(), pre, false);
        return TokenizerJson.write(spec);
    }

    private static List<byte[]> readRanks() throws IOException {
        String res = "/com/knuddels/jtokkit/r50k_base.tiktoken";
        List<byte[]> byRank = new ArrayList<>();
        try (InputStream in = Encodings.class.getResourceAsStream(res)) {
            if (in == null) throw new IOException(res + " not found in the jtokkit jar (test dependency com.knuddels:jtokkit 1.1.0)");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] parts = line.split(" ");
                int rank = Integer.parseInt(parts[1]);
                if (rank != byRank.size()) throw new IOException(res + ": ranks are not dense at " + rank);
                byRank.add(Base64.getDecoder().decode(parts[0]));
            }
        }
        return byRank;
    }

    static int[] jtokkitIds(Encoding enc, String text) {
        var ids = enc.encodeOrdinary(text);
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(i);
        return out;
    }
}
