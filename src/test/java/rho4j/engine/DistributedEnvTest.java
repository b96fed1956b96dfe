package rho4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The torchrun environment as Distributed reads it, and the one-process group (no libtorch distributed code at all). */
class DistributedEnvTest {
    @Test
    void readsTheTorchrunVariables() {
        var e = Distributed.Env.read(Map.of("RANK", "3", "WORLD_SIZE", "4", "LOCAL_RANK", "1", "LOCAL_WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.2", "MASTER_PORT", "40123"));
        assertEquals(new Distributed.Env(3, 4, 1, 2, "127.0.0.2", 40123), e);
        // defaults: LOCAL_* from RANK and WORLD_SIZE (one node), master on the loopback, torchrun's port
        assertEquals(new Distributed.Env(1, 2, 1, 2, "127.0.0.1", 29500), Distributed.Env.read(Map.of("RANK", "1", "WORLD_SIZE", "2")));
        assertEquals(1, Distributed.Env.read(Map.of()).world(), "no WORLD_SIZE: one process");
        assertEquals(1, Distributed.Env.read(Map.of("WORLD_SIZE", "1", "RANK", "0")).world());
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheVariable() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distributed.Env.read(Map.of("WORLD_SIZE", "2"))).getMessage().startsWith("RANK=null with WORLD_SIZE=2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distributed.Env.read(Map.of("WORLD_SIZE", "2", "RANK", "2"))).getMessage().contains("set RANK to 0..1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distributed.Env.read(Map.of("WORLD_SIZE", "two"))).getMessage().startsWith("WORLD_SIZE='two' is not a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Distributed.Env.read(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_PORT", "70000")))
                .getMessage().startsWith("MASTER_PORT=70000"));
    }

    @Test
    void oneProcessCollectivesReturnTheirInput() {
        Distributed d = Distributed.open(Distributed.Env.single(), 1000, "gloo");
        assertFalse(d.active());
        assertTrue(d.leader());
        double[] a = {1.5, -2};
        d.allreduce(a);
        assertArrayEquals(new double[] {1.5, -2}, a);
        float[] f = {3, 4};
        assertArrayEquals(f, d.allgather(f));
        assertEquals(7, d.broadcast(7, 0));
        d.agree("anything", "x");
        d.barrier("nothing to wait for");
        assertEquals(Device.parse("cuda"), d.device(Device.parse("cuda")), "one process keeps the device it was given");
    }
}
