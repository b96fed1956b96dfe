package rho4j.util;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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
            Object before = key(file);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Object opened = key(file);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this JVM holds it already
            }
            if (l == null) {
                ch.close();
                throw new IllegalStateException(refusal(folder, what, file, read(file), true));
            }
            // POSIX locks belong to the process and go with ANY of its descriptors of the file being closed: from
            // here on the file is read and written through this channel only.
            Map<String, String> holder = read(ch);
            // The path must still name the file this channel locked: a releasing holder deletes it (before unlocking),
            // and a third process may have made a new one meanwhile.
            if (opened == null || !opened.equals(key(file)) || (before != null && !before.equals(opened))) {
                l.release();
                ch.close();
                continue;
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
            String text = "pid=" + pid + "\nhost=" + host + "\nstarted=" + Instant.now() + "\n";
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            if (hPid != null && !hPid.equals(Long.toString(pid)))
                System.err.println("rho: took over the stale lock " + file + " of process " + hPid + " (no longer running)");
            return new FolderLock(file, ch, l);
        }
        throw new IllegalStateException(file + ": could not take the lock (other processes keep replacing it); retry");
    }

    /** The file's identity (device and inode) without opening it, or null when it does not exist. */
    private static Object key(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, String> read(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (b.hasRemaining() && ch.read(b, b.position()) > 0) { }
        return parse(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
    }

    private static String refusal(Path folder, String what, Path file, Map<String, String> holder, boolean live) {
        String who = "process " + holder.getOrDefault("pid", "?") + " on " + holder.getOrDefault("host", "?")
                + (holder.containsKey("started") ? " since " + holder.get("started") : "");
        return live ? "the " + what + " " + folder + " is in use by " + who + " (" + file + "); wait for it to finish or use another folder"
                : "the " + what + " " + folder + " is locked by " + who + " (" + file + "); if that process is gone, delete " + file;
    }

    /** Only for a lock this process does not hold: opening and closing the file would drop a held one. */
    private static Map<String, String> read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new LinkedHashMap<>(); // released meanwhile, or unreadable: names no holder
        }
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).strip());
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
