package rho4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gradient allreduce overlaps the backward pass (2 ranks, Gloo, 127.0.0.1; {@link OverlapChild}): with several
 * buckets, the first bucket's allreduce is launched (by the Reducer's hook, as the bucket's last gradient is marked
 * ready) while gradients of other parameters are still to be computed, i.e. before that backward pass has finished.
 * An ordering of the Reducer's own per-parameter timestamps, not a timing threshold. Also: the backward of the
 * first micro-batch communicates nothing (the gradients stay each rank's own), and the reduced gradients are the
 * sum over ranks bit for bit, for an untied head (a root of the fused head's backward) and a tied one. A parameter
 * that gets no gradient fails the armed pass at its end, on every rank.
 */
class OverlapTest {
    @Test
    void theFirstBucketIsLaunchedWhileTheBackwardPassStillRuns(@TempDir Path tmp) throws Exception {
        int port = Ranks.freePort();
        List<Process> ps = new ArrayList<>();
        for (int r = 0; r < 2; r++) ps.add(Ranks.start(r, 2, port, tmp.resolve("rank" + r + ".log"), Map.of(), OverlapChild.class.getName(), List.of()));
        int[] codes = Ranks.waitAll(ps, 120);
        String logs = Files.readString(tmp.resolve("rank0.log")) + "\n--- rank 1\n" + Files.readString(tmp.resolve("rank1.log"));
        assertArrayEquals(new int[] {0, 0}, codes, logs);
        Pattern line = Pattern.compile("step (\\d) tied (true|false) buckets (\\d+) params (\\d+) launched-before (\\d+) no-sync (true|false) sum (true|false)");
        int seen = 0;
        for (String l : logs.split("\n")) {
            Matcher m = line.matcher(l);
            if (!m.find()) continue;
            seen++;
            int buckets = Integer.parseInt(m.group(3)), params = Integer.parseInt(m.group(4)), after = Integer.parseInt(m.group(5));
            assertTrue(buckets > 2, l);
            assertTrue(after > 0 && after < params, "gradients marked ready after the first bucket's allreduce was launched: " + l);
            assertEquals("true", m.group(6), "the first micro-batch's backward kept the gradients local: " + l);
            assertEquals("true", m.group(7), "the reduced gradients are the sum over ranks: " + l);
        }
        assertEquals(2 * 2 * 3, seen, "2 ranks x (untied, tied) x 3 steps: " + logs);
        assertEquals(2, logs.split("unused parameter refused: yes", -1).length - 1, "a parameter without a gradient fails the armed pass on both ranks: " + logs);
        System.out.println(logs);
    }
}
