package rho4j.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rho4j.pipeline.Pipeline;
import rho4j.pipeline.Recipe;
import rho4j.pipeline.Sweep;

@Command(name = "run", mixinStandardHelpOptions = true, description = {"The whole Rho-1 recipe: tokenizer -> stores -> reference model -> scores -> CLM and SLM runs",
        "-> evaluation -> dynamics -> report. Stages are cached by their inputs: a rerun skips finished stages, an interrupted one resumes."})
final class RunCommand implements Callable<Integer> {
    @Parameters(description = "recipe YAML (see recipes/example.yaml)") Path recipe;
    @Option(names = "--out", description = "output folder (default runs/NAME)") Path out;
    @Option(names = "--sweep", description = "ratio=0.4,0.5,0.6,0.7,0.8,1.0: one SLM run per ratio, CLM once") String sweep;

    @Override
    public Integer call() throws Exception {
        return run(Recipe.load(recipe), out, sweep);
    }

    static int run(Recipe r, Path out, String sweep) throws Exception {
        Path dir = out != null ? out : Path.of("runs", r.name());
        long t0 = System.nanoTime();
        boolean writer = Commands.writer(); // under a launcher rank 0 locks the folder and reports; the others stay quiet
        try (var lock = writer ? rho4j.util.FolderLock.acquire(dir, "pipeline folder") : null; var armed = rho4j.util.Interrupt.arm()) {
            stages(r, dir, sweep, writer ? System.out : new PrintStream(OutputStream.nullOutputStream()));
        }
        if (writer) System.out.printf(Locale.ROOT, "wall time %.1f s; results in %s (report: %s)%n", (System.nanoTime() - t0) / 1e9, dir, dir.resolve("report.html"));
        return 0;
    }

    private static void stages(Recipe r, Path dir, String sweep, PrintStream log) throws Exception {
        if (sweep == null) Pipeline.run(r, dir, log);
        else Pipeline.sweep(r, Sweep.parse(sweep), dir, log);
    }
}
