package rho4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a Python snippet under Debian's python3-torch (the independent reference); skips when it is not installed. */
public final class PythonTorch {
    private PythonTorch() {}

    public static final String PYTHON = "/usr/bin/python3";

    public static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs the script and returns its stdout; skips the test (with the reason) when torch is missing. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        assumeTrue(available(), "Debian's python3-torch is not installed (apt-get install python3-torch): reference check skipped");
        Path f = Files.createTempFile("rho-ref", ".py");
        Files.writeString(f, script);
        String[] cmd = new String[args.length + 2];
        cmd[0] = PYTHON;
        cmd[1] = f.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("python reference failed:\n" + out);
        Files.deleteIfExists(f);
        return out;
    }
}
