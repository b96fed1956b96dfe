package rho4j.util;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One writer per output folder (run, token store, scores). The lock is {@code NAME.lock} beside the folder (a store
 * or run folder is replaced by renames, which would carry a lock inside it away) and holds the holder's pid, host and
 * start time. It is an OS file lock as well, so the kernel releases it when the holder dies, even by kill -9; a lock
 * file left behind by a dead process of this host is then taken over. A lock held on another host is refused with
 * the file to delete if that process is gone. Released by {@link #close()} and, on System.exit, by a shutdown hook.
 */
public final class FolderLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread hook;
    private boolean released;

    private FolderLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.hook = new Thread(this::release, "rho-unlock");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The lock file guarding {@code folder}. */
    public static Path lockFile(Path folder) {
        Path abs = folder.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code folder} or fails with one line naming the holder.
     *
     * @param what what the folder is, for the message ("run", "token store", "scores folder")
     */
    public static FolderLock acquire(Path folder, String what) throws IOException {
        Path file = lockFile(folder);
        Files.createDirectories(file.getParent());
        for (int attempt = 0; attempt < 5; attempt++) {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this JVM holds it already
            }
            Map<String, String> holder = read(file);
            if (l == null) {
                ch.close();
                throw new IllegalStateException(refusal(folder, what, file, holder, true));
            }
            String host = hostName();
            long pid = ProcessHandle.current().pid();
            String hPid = holder.get("pid"), hHost = holder.get("host");
            // The OS lock is ours, so no live process of this host holds the folder; a file naming another host may
            // be a live holder whose file system does not share locks (NFS): refuse rather than guess.
            if (hHost != null && !hHost.equals(host) && hPid != null) {
                l.release();
                ch.close();
                throw new IllegalStateException(refusal(folder, what, file, holder, false));
            }
            String nonce = UUID.randomUUID().toString();
            String text = "pid=" + pid + "\nhost=" + host + "\nstarted=" + Instant.now() + "\nnonce=" + nonce + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            // The path may meanwhile name another file (a releasing holder deleted it and a third process made a new
            // one): the lock counts only if the path still shows what was written through this channel.
            if (nonce.equals(read(file).get("nonce"))) {
                if (hPid != null && !hPid.equals(Long.toString(pid)))
                    System.err.println("rho: took over the stale lock " + file + " of process " + hPid + " (no longer running)");
                return new FolderLock(file, ch, l);
            }
            l.release();
            ch.close();
        }
        throw new IllegalStateException(file + ": could not take the lock (other processes keep replacing it); retry");
    }

    private static String refusal(Path folder, String what, Path file, Map<String, String> holder, boolean live) {
        String who = "process " + holder.getOrDefault("pid", "?") + " on " + holder.getOrDefault("host", "?")
                + (holder.containsKey("started") ? " since " + holder.get("started") : "");
        return live ? "the " + what + " " + folder + " is in use by " + who + " (" + file + "); wait for it to finish or use another folder"
                : "the " + what + " " + folder + " is locked by " + who + " (" + file + "); if that process is gone, delete " + file;
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        } catch (NoSuchFileException e) {
            // released meanwhile
        } catch (IOException e) {
            // unreadable: treated as naming no holder
        }
        return m;
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }

    public Path file() { return file; }

    private synchronized void release() {
        if (released) return;
        released = true;
        try {
            Files.deleteIfExists(file); // first, while still locked: nobody can take it between the two
            lock.release();
            channel.close();
        } catch (IOException e) {
            System.err.println("rho: could not remove the lock " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        release();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs (or ran) anyway
        }
    }
}
