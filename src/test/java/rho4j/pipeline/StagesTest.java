package rho4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stage keys change with any input and only with inputs; a finished stage is reused, an interrupted one resumed. */
class StagesTest {
    @Test
    void keysAreStableAndChangeWithEveryPart() {
        String k = Stages.key("slm", "a", 1, 0.6);
        assertEquals(k, Stages.key("slm", "a", 1, 0.6));
        assertTrue(k.matches("[0-9a-f]{16}"), k);
        assertNotEquals(k, Stages.key("clm", "a", 1, 0.6));
        assertNotEquals(k, Stages.key("slm", "a", 1, 0.7));
        assertNotEquals(k, Stages.key("slm", "a", 1));
        assertNotEquals(k, Stages.key("slm", 1, "a", 0.6));
        // parts are separated, so moving text across a boundary is a different key
        assertNotEquals(Stages.key("s", "ab", "c"), Stages.key("s", "a", "bc"));
        assertNotEquals(Stages.key("s", "x"), Stages.key("sx"));
    }

    @Test
    void finishedStagesAreCachedAndInterruptedOnesRerun(@TempDir Path tmp) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Stages st = new Stages(tmp, new PrintStream(new ByteArrayOutputStream()));
        Path d = st.run("a", "k1", dir -> { runs.incrementAndGet(); Files.writeString(dir.resolve("out"), "1"); });
        assertEquals(tmp.resolve("stages/a-k1"), d);
        assertTrue(Files.exists(d.resolve(Stages.DONE)));
        assertEquals(d, st.run("a", "k1", dir -> runs.incrementAndGet()));
        assertEquals(1, runs.get(), "a finished stage is not rerun");
        st.run("a", "k2", dir -> runs.incrementAndGet());
        assertEquals(2, runs.get(), "a new key reruns");
        assertEquals(3, st.records().size(), "one record per run call");
        assertFalse(st.records().get(0).cached());
        assertTrue(st.records().get(1).cached());
        assertEquals(0.0, st.records().get(1).seconds());
        long t0 = System.nanoTime();
        st.run("slow", "k", dir -> {
            try { Thread.sleep(60); } catch (InterruptedException e) { throw new java.io.IOException(e); }
        });
        double wall = (System.nanoTime() - t0) / 1e9, took = st.records().get(3).seconds();
        assertTrue(took >= 0.06 && took <= wall, took + " s recorded for a 60 ms body in " + wall + " s");

        Path partial = tmp.resolve("stages/b-k3");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("half"), "x");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new Stages(tmp, new PrintStream(log, true)).run("b", "k3", dir -> {
            assertTrue(Files.exists(dir.resolve("half")), "the body sees the interrupted attempt");
            runs.incrementAndGet();
        });
        assertEquals(3, runs.get());
        assertTrue(log.toString().contains("resuming"), log.toString());
        assertTrue(Files.exists(partial.resolve(Stages.DONE)));

        // The same key under another name is the same work (an ablation's run that another recipe ran as its main one).
        Stages again = new Stages(tmp, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(tmp.resolve("stages/a-k1"), again.run("abl-a", "k1", dir -> runs.incrementAndGet()));
        assertEquals(3, runs.get(), "not rerun");
        assertTrue(again.records().get(0).cached());
    }

    @Test
    void aFailedBodyLeavesNoDoneMarker(@TempDir Path tmp) {
        Stages st = new Stages(tmp, new PrintStream(new ByteArrayOutputStream()));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> st.run("c", "k", dir -> { throw new java.io.IOException("boom"); }));
        assertFalse(Files.exists(tmp.resolve("stages/c-k").resolve(Stages.DONE)));
        assertTrue(st.records().isEmpty());
    }
}
