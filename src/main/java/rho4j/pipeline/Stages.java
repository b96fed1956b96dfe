package rho4j.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import rho4j.engine.Distributed;
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
    private final Distributed dist;
    private final List<Record> records = new ArrayList<>();

    Stages(Path out, PrintStream log) {
        this(out, log, Distributed.open(Distributed.Env.single(), 1, null));
    }

    /**
     * Under data parallelism every rank walks the same stages in the same order: rank 0 decides from the files whether
     * a stage is done and tells the others (who must not look while it writes), then runs it alone or with all ranks.
     */
    Stages(Path out, PrintStream log, Distributed dist) {
        this.root = out.resolve("stages");
        this.log = log;
        this.dist = dist;
    }

    /** 16 hex chars of SHA-256 over the parts' text forms (records print all their fields). */
    static String key(String name, Object... parts) {
        StringBuilder b = new StringBuilder(name);
        for (Object p : parts) b.append('\u0000').append(p);
        return Hashing.sha256(b.toString()).substring(0, 16);
    }

    /** Runs {@code body} on rank 0 alone unless the stage's folder is complete (data, evaluation, report: no collectives); returns the folder. */
    Path run(String name, String key, Body body) throws IOException {
        return run(name, key, false, body);
    }

    /** As {@link #run}, but every rank runs {@code body}: training and scoring, which share the work across ranks and write on rank 0. */
    Path runOnEveryRank(String name, String key, Body body) throws IOException {
        return run(name, key, true, body);
    }

    private Path run(String name, String key, boolean everyRank, Body body) throws IOException {
        long t0 = System.nanoTime();
        String what = "stage " + name;
        String decided = dist.share(what, dist.leader() ? decide(name, key) : "");
        Path dir = root.resolve(decided.substring(2));
        if (decided.startsWith("c")) {
            log.printf("[stage] %-14s %s cached%n", name, key);
            visible(dir, name);
            records.add(new Record(name, key, dir, true, 0));
            return dir;
        }
        log.printf("[stage] %-14s %s %s%n", name, key, decided.startsWith("p") ? "resuming" : "running");
        Files.createDirectories(dir);
        if (everyRank) {
            body.run(dir);
            dist.barrier(what); // DONE only once every rank has finished its share
            if (dist.leader()) done(dir, t0);
        } else {
            dist.onLeader(what, () -> {
                body.run(dir);
                done(dir, t0);
            });
            visible(dir, name);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        log.printf("[stage] %-14s %s done in %.1f s%n", name, key, secs);
        records.add(new Record(name, key, dir, false, secs));
        return dir;
    }

    /** Rank 0's verdict on a stage: "c:" complete, "p:" partial, "r:" to run, then the folder's name. */
    private String decide(String name, String key) throws IOException {
        Path dir = root.resolve(name + "-" + key);
        if (!Files.exists(dir.resolve(DONE))) dir = sameWork(key, dir);
        return (Files.exists(dir.resolve(DONE)) ? "c:" : Files.isDirectory(dir) ? "p:" : "r:") + dir.getFileName();
    }

    private static void done(Path dir, long t0) throws IOException {
        AtomicFiles.writeString(dir.resolve(DONE), String.format("%.1f s%n", (System.nanoTime() - t0) / 1e9));
    }

    /** A rank other than 0 reads what rank 0 wrote: across nodes OUT must be on a file system they share. */
    private void visible(Path dir, String name) {
        if (!dist.leader() && !Files.exists(dir.resolve(DONE)))
            throw new IllegalStateException("rank " + dist.rank() + ": stage " + name + " is complete on rank 0 but " + dir.toAbsolutePath()
                    + " is not here: the output folder must be one that every rank sees (a shared file system across nodes)");
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
