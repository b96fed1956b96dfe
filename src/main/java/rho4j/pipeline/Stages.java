package rho4j.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rho4j.util.AtomicFiles;
import rho4j.util.Hashing;

/**
 * The stage cache: a stage's folder is {@code OUT/stages/<name>-<key>} where the key hashes the recipe values it reads
 * and the keys of the stages it reads from, so any change upstream gives a new folder and everything downstream
 * reruns, while unrelated changes (say selection.ratio for the CLM run) keep the old folders. A {@code DONE} file is
 * written last: a folder without it is an interrupted stage, handed back to its body to resume or redo.
 */
public final class Stages {
    /** What happened to one stage in this run; the tests read these instead of parsing logs. */
    public record Record(String name, String key, Path dir, boolean cached, double seconds) {}

    /** A stage's work: fills {@code dir}, which may hold an interrupted earlier attempt. */
    interface Body {
        void run(Path dir) throws IOException;
    }

    static final String DONE = "DONE";

    private final Path root;
    private final PrintStream log;
    private final List<Record> records = new ArrayList<>();

    Stages(Path out, PrintStream log) {
        this.root = out.resolve("stages");
        this.log = log;
    }

    /** 16 hex chars of SHA-256 over the parts' text forms (records print all their fields). */
    static String key(String name, Object... parts) {
        StringBuilder b = new StringBuilder(name);
        for (Object p : parts) b.append('\u0000').append(p);
        return Hashing.sha256(b.toString()).substring(0, 16);
    }

    /** Runs {@code body} unless the stage's folder is complete; returns the folder either way. */
    Path run(String name, String key, Body body) throws IOException {
        Path dir = root.resolve(name + "-" + key);
        long t0 = System.nanoTime();
        if (!Files.exists(dir.resolve(DONE))) dir = sameWork(key, dir);
        if (Files.exists(dir.resolve(DONE))) {
            log.printf("[stage] %-14s %s cached%n", name, key);
            records.add(new Record(name, key, dir, true, 0));
            return dir;
        }
        boolean partial = Files.isDirectory(dir);
        log.printf("[stage] %-14s %s %s%n", name, key, partial ? "resuming" : "running");
        Files.createDirectories(dir);
        body.run(dir);
        double secs = (System.nanoTime() - t0) / 1e9;
        AtomicFiles.writeString(dir.resolve(DONE), String.format("%.1f s%n", secs));
        log.printf("[stage] %-14s %s done in %.1f s%n", name, key, secs);
        records.add(new Record(name, key, dir, false, secs));
        return dir;
    }

    /**
     * A complete folder of the same key under another name (an ablation's run that is a main run of another recipe,
     * say): keys hash the stage's kind and all its inputs, so it is the same work, done.
     */
    private Path sameWork(String key, Path dir) throws IOException {
        if (!Files.isDirectory(root)) return dir;
        try (var all = Files.list(root)) {
            return all.filter(p -> p.getFileName().toString().endsWith("-" + key) && Files.exists(p.resolve(DONE))).findFirst().orElse(dir);
        }
    }

    List<Record> records() {
        return List.copyOf(records);
    }
}
