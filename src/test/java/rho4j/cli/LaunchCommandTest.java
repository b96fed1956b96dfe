package rho4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** rho launch's argument checks (the multi-process behaviour is in rho4j.dist.FaultTest). */
class LaunchCommandTest {
    @Test
    void refusesCommandsThatAreNotDataParallelAndBadTopologies() {
        CliTest.Run r = CliTest.rho("launch", "--nproc-per-node", "2", "--", "eval", "--run", "x");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("rho launch: rho launch -- eval: only train, score, run, demo and bench run data-parallel"), r.err());
        r = CliTest.rho("launch", "--nproc-per-node", "2", "--nnodes", "2", "--node-rank", "2", "--", "train");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--node-rank 2 with --nnodes 2: must be 0..1"), r.err());
        r = CliTest.rho("launch", "--nproc-per-node", "0", "--", "train");
        assertTrue(r.code() == 2 && r.err().contains("--nproc-per-node must be at least 1"), r.err());
        r = CliTest.rho("launch", "--nproc-per-node", "1", "--master-port", "70000", "--", "train");
        assertTrue(r.code() == 2 && r.err().contains("--master-port 70000"), r.err());
    }
}
