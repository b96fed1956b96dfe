package rho4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the engine boundary real: only engine/ and model/ see libtorch, and tensors are made on a named device
 * (libtorch's factories with a device-bearing options object, or engine.Tensors with a Device), never on a default.
 */
class EngineBoundaryTest {
    static final Path MAIN = Path.of("src/main/java/rho4j");

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    static boolean inside(Path p, String pkg) { return MAIN.relativize(p).startsWith(pkg); }

    @Test
    void onlyEngineAndModelImportTheBinding() throws IOException {
        List<Path> all = sources();
        assertTrue(all.size() > 50, "found the sources: " + all.size());
        List<String> offenders = all.stream().filter(p -> !inside(p, "engine") && !inside(p, "model")).filter(p -> read(p).contains("org.bytedeco"))
                .map(Path::toString).toList();
        assertEquals(List.of(), offenders, "org.bytedeco outside engine/ and model/");
    }

    @Test
    void tensorFactoriesOutsideTheEngineNameTheirDevice() throws IOException {
        // torch.zeros/empty/full/ones/randn/arange need options carrying the device (device.options(..), x.options());
        // from_blob (always on the CPU) is the engine's alone.
        Pattern factory = Pattern.compile("torch\\.(zeros|empty|full|ones|randn|arange|rand|tensor)\\((.*)");
        List<String> offenders = new java.util.ArrayList<>();
        for (Path p : sources()) {
            if (inside(p, "engine")) continue;
            String[] lines = read(p).split("\n");
            for (int i = 0; i < lines.length; i++) {
                var m = factory.matcher(lines[i]);
                if (m.find() && !m.group(2).contains("options(") && !m.group(2).contains("opts") && !lines[i].contains("// host:")) offenders.add(p + ":" + (i + 1) + ": " + lines[i].trim());
                if (lines[i].contains("from_blob")) offenders.add(p + ":" + (i + 1) + ": " + lines[i].trim());
            }
        }
        assertEquals(List.of(), offenders, "tensors made without naming a device");
    }

    @Test
    void noCodePathHardCodesTheCpu() throws IOException {
        List<String> offenders = sources().stream().filter(p -> !inside(p, "engine")).filter(p -> read(p).contains("Device.CPU"))
                .map(Path::toString).toList();
        assertEquals(List.of(), offenders, "Device.CPU outside the engine: take the device from the run, model or command");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
