package rho4j.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures training time and single-thread encode throughput (MB of UTF-8 text per second).
 * Usage: {@code TokenizerBench (--tokenizer FILE | --train VOCAB [--save FILE]) PATH...} where each
 * PATH is a .jsonl file or a folder of them; every JSON line is one document (its string fields,
 * joined by a blank line); a line that does not start with '{' is a plain-text document. Meant to be wired into {@code rho bench}.
 */
public final class TokenizerBench {
    private TokenizerBench() {}

    /** Encode throughput over {@code docs}: {@code bytes} of UTF-8 in, {@code tokens} out. */
    public record Result(long bytes, long tokens, double seconds) {
        public double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }

        @Override
        public String toString() {
            return String.format("%.2f MB in %.2fs: %.2f MB/s, %,d tokens (%.2f bytes/token)", bytes / 1e6, seconds, mbPerSecond(), tokens,
                    (double) bytes / tokens);
        }
    }

    /** One warm-up pass (fills the JIT and the word cache, as in steady use), then {@code rounds} timed passes. */
    public static Result measure(TextEncoder encoder, List<String> docs, int rounds) {
        long bytes = 0;
        for (String d : docs) bytes += d.getBytes(StandardCharsets.UTF_8).length;
        long sink = 0;
        for (String d : docs) sink += encoder.encode(d).length;
        long tokens = 0, t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) for (String d : docs) tokens += encoder.encode(d).length;
        double secs = (System.nanoTime() - t0) / 1e9;
        if (sink < 0) throw new AssertionError(); // keeps the warm-up from being optimised away
        return new Result(bytes * rounds, tokens, secs);
    }

    /** Documents of a .jsonl file or of every .jsonl file under a folder (sorted, so runs repeat). */
    public static List<String> readDocuments(Path path) throws IOException {
        if (!Files.exists(path)) throw new IOException(path + ": no such file or folder; pass a .jsonl file or a folder of them (e.g. ../shared/data/gsm8k)");
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path)) {
                s.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
            }
        } else {
            files.add(path);
        }
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                int lineNo = 0;
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    if (line.isBlank()) continue;
                    if (!line.startsWith("{")) { // e.g. the statistics trailer of stackmathqa-partial.jsonl: still text
                        docs.add(line);
                        continue;
                    }
                    JsonNode node;
                    try {
                        node = json.readTree(line);
                    } catch (IOException e) {
                        throw new IOException(f + ":" + lineNo + ": not a JSON line (" + e.getMessage() + ")", e);
                    }
                    StringBuilder sb = new StringBuilder();
                    for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                        JsonNode v = it.next();
                        if (!v.isTextual()) continue;
                        if (sb.length() > 0) sb.append("\n\n");
                        sb.append(v.asText());
                    }
                    docs.add(sb.toString());
                }
            }
        }
        return docs;
    }

    public static void main(String[] args) throws IOException {
        String tokenizer = null, save = null;
        int trainVocab = -1;
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tokenizer" -> tokenizer = args[++i];
                case "--train" -> trainVocab = Integer.parseInt(args[++i]);
                case "--save" -> save = args[++i];
                default -> inputs.add(Path.of(args[i]));
            }
        }
        if ((tokenizer == null) == (trainVocab < 0) || inputs.isEmpty()) {
            System.err.println("usage: TokenizerBench (--tokenizer tokenizer.json | --train VOCAB [--save tokenizer.json]) DATA.jsonl|DIR...");
            System.exit(2);
        }
        List<String> docs = new ArrayList<>();
        for (Path p : inputs) docs.addAll(readDocuments(p));
        long bytes = docs.stream().mapToLong(d -> d.getBytes(StandardCharsets.UTF_8).length).sum();
        System.out.printf("%,d documents, %.2f MB%n", docs.size(), bytes / 1e6);
        ByteLevelBpe bpe;
        if (tokenizer != null) {
            bpe = ByteLevelBpe.load(Path.of(tokenizer));
        } else {
            long t0 = System.nanoTime();
            bpe = ByteLevelBpe.train(docs.iterator(), trainVocab, TrainOptions.defaults().withProgress(System.out::println));
            System.out.printf("trained vocab %d in %.2fs (%.2f MB)%n", bpe.vocabSize(), (System.nanoTime() - t0) / 1e9, bytes / 1e6);
            if (save != null) {
                bpe.save(Path.of(save));
                System.out.println("saved " + save + " hash " + bpe.hash());
            }
        }
        ByteLevelBpe fresh = ByteLevelBpe.fromJson(bpe.toJson(), "copy");
        long t0 = System.nanoTime(), tokens = 0;
        for (String d : docs) tokens += fresh.encode(d).length;
        System.out.println("encode first pass (cold JIT, empty word cache): "
                + new Result(bytes, tokens, (System.nanoTime() - t0) / 1e9));
        System.out.println("encode steady (1 thread, 3 passes): " + measure(bpe, docs, 3));
        Path file = tokenizer != null ? Path.of(tokenizer) : Files.createTempFile("rho-tokenizer", ".json");
        if (tokenizer == null) bpe.save(file);
        try (HfTokenizer lib = HfTokenizer.load(file)) {
            measure(lib, docs, 1);
            System.out.println("Rust tokenizers library, same file (1 thread, 3 passes): " + measure(lib, docs, 3));
        } finally {
            if (tokenizer == null) Files.deleteIfExists(file);
        }
    }
}
