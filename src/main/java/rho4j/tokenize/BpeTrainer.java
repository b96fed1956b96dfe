package rho4j.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Learns byte-level BPE merges: counts GPT-2 pre-tokens (the only thing kept from the stream),
 * then repeatedly merges the most frequent adjacent pair. Pair counts are updated incrementally
 * (only words containing the merged pair are revisited) and the best pair comes from a lazy
 * max-heap, so each merge costs about the number of words it touches.
 *
 * <p>Ties on count go to the smaller (left id, right id), i.e. to older tokens and, among bytes,
 * to GPT-2's base order: the same rule as Hugging Face's trainer, and deterministic.
 */
final class BpeTrainer {
    private BpeTrainer() {}

    static TokenizerSpec train(Iterator<String> texts, int vocabSize, TrainOptions options) {
        int specials = options.specialTokens().size();
        if (vocabSize < 256 + specials)
            throw new IllegalArgumentException("vocabSize " + vocabSize + " leaves no room for 256 byte tokens + " + specials + " special tokens");
        long t0 = System.nanoTime();
        Map<String, int[]> wordCounts = countWords(texts);
        options.progress().accept(String.format("bpe: %,d distinct words counted in %.1fs", wordCounts.size(), (System.nanoTime() - t0) / 1e9));

        int[] baseId = new int[256]; // byte -> id in GPT-2 base order
        for (int i = 0; i < 256; i++) baseId[ByteLevelAlphabet.byteAtBaseId(i)] = i;
        int nWords = wordCounts.size();
        int[][] sym = new int[nWords][];
        int[] len = new int[nWords], freq = new int[nWords];
        int w = 0;
        for (Map.Entry<String, int[]> e : wordCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            sym[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) sym[w][i] = baseId[bytes[i] & 0xFF];
            len[w] = bytes.length;
            freq[w] = e.getValue()[0];
            w++;
        }
        wordCounts = null; // let the strings go before the merge phase

        int targetMerges = vocabSize - 256 - specials;
        List<String> vocab = new ArrayList<>(vocabSize);
        for (int i = 0; i < 256; i++) vocab.add(String.valueOf(ByteLevelAlphabet.charOf(ByteLevelAlphabet.byteAtBaseId(i))));
        int[] mergeLeft = new int[targetMerges], mergeRight = new int[targetMerges];
        int merges = new MergeLoop(sym, len, freq).run(targetMerges, options.minPairCount(), mergeLeft, mergeRight, vocab);
        options.progress().accept(String.format("bpe: %,d merges in %.1fs total", merges, (System.nanoTime() - t0) / 1e9));

        List<AddedToken> added = new ArrayList<>();
        for (String s : options.specialTokens()) {
            added.add(new AddedToken(vocab.size(), s, true));
            vocab.add(s);
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode pre = json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true).put("use_regex", true);
        ObjectNode dec = json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true).put("use_regex", true);
        return new TokenizerSpec(vocab.toArray(String[]::new), Arrays.copyOf(mergeLeft, merges), Arrays.copyOf(mergeRight, merges),
                List.copyOf(added), pre, NullNode.getInstance(), dec, false);
    }

    /** word -> {count}; the mutable int[1] avoids re-boxing on every occurrence. */
    static Map<String, int[]> countWords(Iterator<String> texts) {
        Map<String, int[]> counts = new HashMap<>(1 << 16);
        while (texts.hasNext()) {
            String text = texts.next();
            Gpt2PreTokenizer.INSTANCE.split(text, 0, text.length(), (s, e) -> {
                int[] c = counts.computeIfAbsent(text.substring(s, e), k -> new int[1]);
                if (++c[0] < 0) throw new ArithmeticException("word count overflow for " + text.substring(s, e));
            });
        }
        return counts;
    }

    /** The merge phase over the word table. */
    private static final class MergeLoop {
        private final int[][] sym;
        private final int[] len, freq, stamp;
        private final LongIntMap pairCount = new LongIntMap(1 << 16);
        /** pair -> index into {@link #where}: words that contained the pair (may be stale or repeated). */
        private final LongIntMap whereSlot = new LongIntMap(1 << 16);
        private final List<IntList> where = new ArrayList<>();
        private final PairHeap heap = new PairHeap();

        MergeLoop(int[][] sym, int[] len, int[] freq) {
            this.sym = sym;
            this.len = len;
            this.freq = freq;
            this.stamp = new int[sym.length];
            Arrays.fill(stamp, -1);
            for (int w = 0; w < sym.length; w++) {
                for (int i = 0; i + 1 < len[w]; i++) {
                    long k = LongIntMap.key(sym[w][i], sym[w][i + 1]);
                    pairCount.add(k, freq[w]);
                    addWhere(k, w);
                }
            }
        }

        private void addWhere(long k, int w) {
            int slot = whereSlot.get(k, -1);
            if (slot < 0) {
                slot = where.size();
                where.add(new IntList(4));
                whereSlot.put(k, slot);
            }
            IntList l = where.get(slot);
            if (l.size() == 0 || l.get(l.size() - 1) != w) l.add(w);
        }

        int run(int target, int minCount, int[] mergeLeft, int[] mergeRight, List<String> vocab) {
            pushAllPairs();
            int done = 0;
            LongList touched = new LongList();
            while (done < target && heap.size() > 0) {
                long k = heap.topPair();
                int c = heap.topCount();
                heap.pop();
                int current = pairCount.get(k, 0);
                if (current != c) { // stale: the count dropped since this entry was pushed
                    if (current > 0) heap.push(k, current);
                    continue;
                }
                if (c < minCount) break;
                int a = (int) (k >>> 32), b = (int) k, merged = vocab.size();
                mergeLeft[done] = a;
                mergeRight[done] = b;
                vocab.add(vocab.get(a) + vocab.get(b));
                touched.clear();
                applyMerge(k, a, b, merged, done, touched);
                touched.sortUnique();
                for (int i = 0; i < touched.size(); i++) {
                    int cnt = pairCount.get(touched.get(i), 0);
                    if (cnt > 0) heap.push(touched.get(i), cnt);
                }
                done++;
            }
            return done;
        }

        private void pushAllPairs() {
            // Iterate via the where-table keys: every pair with a count has a slot.
            LongList keys = new LongList();
            whereSlot.forEachKey(keys::add);
            for (int i = 0; i < keys.size(); i++) heap.push(keys.get(i), pairCount.get(keys.get(i), 0));
        }

        private void applyMerge(long k, int a, int b, int merged, int step, LongList touched) {
            IntList words = where.get(whereSlot.get(k, -1));
            for (int j = 0; j < words.size(); j++) {
                int w = words.get(j);
                if (stamp[w] == step) continue;
                stamp[w] = step;
                int[] s = sym[w];
                int n = len[w], f = freq[w];
                boolean has = false;
                for (int i = 0; i + 1 < n && !has; i++) has = s[i] == a && s[i + 1] == b;
                if (!has) continue;
                for (int i = 0; i + 1 < n; i++) pairCount.add(LongIntMap.key(s[i], s[i + 1]), -f);
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                        s[m++] = merged;
                        i++;
                    } else {
                        s[m++] = s[i];
                    }
                }
                len[w] = m;
                for (int i = 0; i + 1 < m; i++) {
                    long p = LongIntMap.key(s[i], s[i + 1]);
                    pairCount.add(p, f);
                    if (s[i] == merged || s[i + 1] == merged) { // only pairs with the new token can grow
                        addWhere(p, w);
                        touched.add(p);
                    }
                }
            }
            where.set(whereSlot.get(k, -1), new IntList(1)); // the pair is gone everywhere; free its list
        }
    }

    /** Max-heap of (count, pair); ties go to the smaller pair key, i.e. smaller (left, right) ids. */
    private static final class PairHeap {
        private long[] pairs = new long[1024];
        private int[] counts = new int[1024];
        private int size;

        int size() { return size; }

        long topPair() { return pairs[0]; }

        int topCount() { return counts[0]; }

        private boolean before(int c1, long p1, int c2, long p2) {
            return c1 != c2 ? c1 > c2 : p1 < p2;
        }

        void push(long pair, int count) {
            if (size == pairs.length) {
                pairs = Arrays.copyOf(pairs, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (!before(count, pair, counts[p], pairs[p])) break;
                pairs[i] = pairs[p];
                counts[i] = counts[p];
                i = p;
            }
            pairs[i] = pair;
            counts[i] = count;
        }

        void pop() {
            size--;
            if (size == 0) return;
            long pair = pairs[size];
            int count = counts[size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) break;
                if (c + 1 < size && before(counts[c + 1], pairs[c + 1], counts[c], pairs[c])) c++;
                if (!before(counts[c], pairs[c], count, pair)) break;
                pairs[i] = pairs[c];
                counts[i] = counts[c];
                i = c;
            }
            pairs[i] = pair;
            counts[i] = count;
        }
    }

    /** Growable long array with in-place sort + dedupe. */
    private static final class LongList {
        private long[] data = new long[64];
        private int size;

        void add(long v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        long get(int i) { return data[i]; }

        int size() { return size; }

        void clear() { size = 0; }

        void sortUnique() {
            Arrays.sort(data, 0, size);
            int m = 0;
            for (int i = 0; i < size; i++) if (m == 0 || data[m - 1] != data[i]) data[m++] = data[i];
            size = m;
        }
    }
}
