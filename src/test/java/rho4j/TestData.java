package rho4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the shared read-only data sets live for tests: {@code $RHO_DATA} if set, else
 * {@code ../shared/data} relative to the project folder (the layout on dev machines and CI).
 */
public final class TestData {
    private TestData() {}

    /** The data root if it exists. An RHO_DATA that points nowhere is an error, not a skip. */
    public static Optional<Path> root() {
        String env = System.getenv("RHO_DATA");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isDirectory(p)) throw new IllegalStateException("RHO_DATA=" + env + " is not a folder; unset it or point it at the shared data");
            return Optional.of(p);
        }
        Path p = Path.of(System.getProperty("user.dir"), "..", "shared", "data").normalize();
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** {@code root().resolve(rel)}, or skips the calling test (JUnit assumption) with a message saying where it looked. */
    public static Path require(String rel) {
        Optional<Path> root = root();
        Assumptions.assumeTrue(root.isPresent(),
                "shared data not found: set RHO_DATA or provide ../shared/data next to the project (" + System.getProperty("user.dir") + "); skipping");
        Path p = root.get().resolve(rel);
        Assumptions.assumeTrue(Files.exists(p), p + " is missing from the shared data; skipping");
        return p;
    }
}
