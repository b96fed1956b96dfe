package rho4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import rho4j.util.AtomicFiles;

/** Temporary folders a killed writer left beside its output ({@code STORE.tmp-*}); removed by the next writer, which holds the lock. */
final class StaleTemp {
    private StaleTemp() {}

    static int clean(Path out, PrintStream log) throws IOException {
        Path abs = out.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) return 0;
        String prefix = abs.getFileName() + ".tmp-";
        int n = 0;
        long bytes = 0;
        try (var s = Files.list(parent)) {
            for (Path p : (Iterable<Path>) s.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))::iterator) {
                bytes += size(p);
                AtomicFiles.deleteTree(p);
                n++;
            }
        }
        if (n > 0) log.printf("rho: removed %d temporary folder%s (%.1f MB) left by an interrupted run beside %s%n", n, n == 1 ? "" : "s", bytes / 1e6, out);
        return n;
    }

    private static long size(Path dir) throws IOException {
        try (var w = Files.walk(dir)) {
            return w.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
