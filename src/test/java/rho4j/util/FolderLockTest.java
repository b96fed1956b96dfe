package rho4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderLockTest {
    @Test
    void aSecondWriterIsRefusedUntilTheFirstReleases(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        try (FolderLock a = FolderLock.acquire(run, "run")) {
            assertEquals(tmp.resolve("run.lock"), a.file());
            String text = Files.readString(a.file());
            assertTrue(text.contains("pid=" + ProcessHandle.current().pid()) && text.contains("host="), text);
            var e = assertThrows(IllegalStateException.class, () -> FolderLock.acquire(run, "run"));
            assertTrue(e.getMessage().contains("in use by process " + ProcessHandle.current().pid()) && e.getMessage().contains("run.lock"), e.getMessage());
        }
        assertFalse(Files.exists(tmp.resolve("run.lock")), "released on close");
        FolderLock.acquire(run, "run").close();
    }

    @Test
    void aLockOfADeadProcessOnThisHostIsTakenOver(@TempDir Path tmp) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path lock = FolderLock.lockFile(tmp.resolve("store"));
        Files.writeString(lock, "pid=" + p.pid() + "\nhost=" + FolderLock.hostName() + "\nstarted=2026-01-01T00:00:00Z\n");
        try (FolderLock l = FolderLock.acquire(tmp.resolve("store"), "token store")) {
            assertTrue(Files.readString(l.file()).contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void aLockNamingAnotherHostIsRefusedWithTheFileToDelete(@TempDir Path tmp) throws Exception {
        Path lock = FolderLock.lockFile(tmp.resolve("scores"));
        Files.writeString(lock, "pid=12345\nhost=elsewhere.example\n");
        var e = assertThrows(IllegalStateException.class, () -> FolderLock.acquire(tmp.resolve("scores"), "scores folder"));
        assertTrue(e.getMessage().contains("elsewhere.example") && e.getMessage().contains("delete " + lock), e.getMessage());
        assertTrue(Files.exists(lock), "another host's lock is left alone");
    }

    @Test
    void anotherProcessHoldingTheLockIsRefusedAndItsLockFreedWhenKilled(@TempDir Path tmp) throws Exception {
        // A second JVM takes the lock as a running rho would, then dies by kill -9 without releasing it.
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(), tmp.resolve("run").toString())
                .redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream()));
            assertEquals("locked", out.readLine());
            var e = assertThrows(IllegalStateException.class, () -> FolderLock.acquire(tmp.resolve("run"), "run"));
            assertTrue(e.getMessage().contains("is in use by process " + holder.pid()), e.getMessage());
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
        assertTrue(Files.exists(FolderLock.lockFile(tmp.resolve("run"))), "kill -9 leaves the file");
        try (FolderLock l = FolderLock.acquire(tmp.resolve("run"), "run")) { // but not the OS lock: taken over
            assertTrue(Files.readString(l.file()).contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    /** The second process of the test above. */
    public static final class Holder {
        static FolderLock held;

        public static void main(String[] args) throws Exception {
            held = FolderLock.acquire(Path.of(args[0]), "run");
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
