package rho4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Linear warmup to the peak, cosine decay to the floor, the floor after the last step. */
class LrScheduleTest {
    static final double PEAK = 1e-3, MIN = 1e-4;

    @Test
    void warmupRisesLinearlyAndReachesThePeakOnItsLastStep() {
        LrSchedule s = new LrSchedule(PEAK, MIN, 4, 20);
        assertEquals(2.5e-4, s.lr(0), 1e-18);
        assertEquals(5.0e-4, s.lr(1), 1e-18);
        assertEquals(7.5e-4, s.lr(2), 1e-18);
        assertEquals(PEAK, s.lr(3), 1e-18);
        assertEquals(PEAK, s.lr(4), 1e-18); // decay starts at the peak
    }

    @Test
    void cosineDecayHitsTheMidpointAndTheFloor() {
        LrSchedule s = new LrSchedule(PEAK, MIN, 4, 20);
        assertEquals((PEAK + MIN) / 2, s.lr(12), 1e-15); // half way through the 16 decay steps
        assertEquals(MIN, s.lr(20), 1e-18);
        assertEquals(MIN, s.lr(21), 1e-18);
        assertEquals(MIN, s.lr(1000), 1e-18);
        for (int k = 0; k <= 16; k++) assertEquals(PEAK + MIN, s.lr(4 + k) + s.lr(20 - k), 1e-15, "cosine symmetry at " + k);
        for (int t = 4; t < 20; t++) assertTrue(s.lr(t + 1) < s.lr(t), "decreasing at " + t);
        assertTrue(s.lr(19) > MIN, "the floor comes only at the last step");
    }

    @Test
    void noWarmupStartsAtThePeak() {
        LrSchedule s = new LrSchedule(PEAK, MIN, 0, 10);
        assertEquals(PEAK, s.lr(0), 1e-18);
        assertTrue(s.lr(1) < PEAK);
        assertEquals(MIN, new LrSchedule(PEAK, MIN, 0, 1).lr(1), 1e-18);
        assertEquals(PEAK, new LrSchedule(PEAK, MIN, 0, 1).lr(0), 1e-18);
    }

    @Test
    void warmupLongerThanTheRunNeverDecays() {
        LrSchedule s = new LrSchedule(PEAK, MIN, 10, 5);
        assertEquals(PEAK * 5 / 10, s.lr(4), 1e-18);
        assertEquals(PEAK, s.lr(9), 1e-18);
        assertEquals(MIN, s.lr(10), 1e-18);
    }
}
