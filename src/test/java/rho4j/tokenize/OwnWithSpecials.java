package rho4j.tokenize;

import rho4j.tokenize.IntList;

/**
 * Rho4j's own byte-level encoder with added tokens split out of the text first, as Hugging Face's library does for
 * tokens without lstrip/rstrip/normalization flags (Llama-3's): the leftmost occurrence wins, the longest at a position.
 */
final class OwnWithSpecials {
    private OwnWithSpecials() {}

    static int[] encode(ByteLevelBpe own, String s) {
        IntList out = new IntList(s.length() + 4);
        int from = 0;
        while (from <= s.length()) {
            int best = -1;
            AddedToken hit = null;
            for (AddedToken t : own.addedTokens()) {
                int at = s.indexOf(t.content(), from);
                if (at >= 0 && (best < 0 || at < best || at == best && t.content().length() > hit.content().length())) {
                    best = at;
                    hit = t;
                }
            }
            int end = hit == null ? s.length() : best;
            if (end > from) for (int id : own.encode(s.substring(from, end))) out.add(id);
            if (hit == null) break;
            out.add(hit.id());
            from = best + hit.content().length();
        }
        return out.toArray();
    }
}
