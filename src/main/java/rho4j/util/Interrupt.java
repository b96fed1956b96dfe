package rho4j.util;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * SIGTERM / SIGINT as a flag that long loops (training steps, scoring batches) poll at safe points, so an interrupted
 * run stops after writing what it has instead of losing it. Outside {@link #arm()}ed sections, and on a second signal,
 * the process exits at once as the JVM would (shutdown hooks run, so folder locks are released). An armed process that
 * reaches no safe point within {@link #graceSeconds()} exits anyway: a stop is never ignored.
 */
public final class Interrupt {
    private static volatile String pending;
    private static final AtomicInteger ARMED = new AtomicInteger();

    private Interrupt() {}

    /** Thrown at a safe point once the work so far is saved; the CLI prints its message and exits with {@link #exitCode}. */
    public static final class Stopped extends RuntimeException {
        private final int exitCode;

        Stopped(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() { return exitCode; }
    }

    /** Routes TERM and INT here (the `rho` launcher only: tests keep the JVM's defaults). */
    public static void install() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> onSignal(name));
            } catch (IllegalArgumentException unsupported) {
                // a JVM started with -Xrs, or a platform without the signal: keep the default behaviour
            }
        }
    }

    static void onSignal(String name) {
        if (ARMED.get() == 0 || pending != null) System.exit(exitCode(name));
        pending = name;
        System.err.println("rho: SIG" + name + ": stopping at the next safe point (send it again to stop at once)");
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(graceSeconds() * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("rho: no safe point within " + graceSeconds() + " s of SIG" + name + " (RHO_STOP_GRACE): stopping now");
            System.exit(exitCode(name));
        }, "rho-stop-grace");
        t.setDaemon(true);
        t.start();
    }

    /** Seconds an armed process may take to reach a safe point after a signal (RHO_STOP_GRACE, default 120). */
    static int graceSeconds() {
        String v = System.getenv("RHO_STOP_GRACE");
        try {
            return v == null ? 120 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 120;
        }
    }

    /** 128 + signal number, the shell's convention: 143 for TERM, 130 for INT. */
    public static int exitCode(String name) { return "INT".equals(name) ? 130 : 143; }

    /** Marks a section whose loops poll {@link #pending()}; close it when the section ends. */
    public static Armed arm() {
        ARMED.incrementAndGet();
        return ARMED::decrementAndGet;
    }

    /** An armed section; closing it throws nothing. */
    public interface Armed extends AutoCloseable {
        @Override
        void close();
    }

    /** The signal received and not yet acted on ("TERM" or "INT"), or null. */
    public static String pending() { return pending; }

    /** What a safe point throws once its work is saved: {@code rho: SIGTERM: WHAT}. */
    public static Stopped stopped(String what) {
        String name = pending == null ? "TERM" : pending;
        return new Stopped("SIG" + name + ": " + what, exitCode(name));
    }

    /** Tests: behave as if {@code name} had arrived (null clears it). */
    public static void request(String name) { pending = name; }
}
