package rho4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.demo.DemoSize;
import rho4j.pipeline.Recipe;

@Command(name = "demo", mixinStandardHelpOptions = true, description = {"The Rho-1 recipe on built-in generated data (arithmetic problems; a noisy corpus",
        "whose noise positions are known), no external data needed: a base pretrained on general text, the reference fine-tuned",
        "from it, CLM vs SLM continued from it over 3 seeds, accuracy with its seed spread, selection precision, report."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/demo", description = "output folder") Path out;
    @Option(names = "--size", defaultValue = "default", description = "default or tiny") String size;
    @Option(names = "--ratio", description = "selection ratio (default 0.6)") Double ratio;
    @Option(names = "--seeds", split = ",", description = "seeds of the CLM/SLM pairs (default 1,2,3)") java.util.List<Long> seeds;
    @Option(names = "--sweep", description = "ratio=0.4,0.6,0.8,1.0") String sweep;
    @Option(names = "--precision", description = "fp32 (the demo's default: see the README), bf16 or auto") String precision;

    @Override
    public Integer call() throws Exception {
        if (!size.equalsIgnoreCase("default") && !size.equalsIgnoreCase("tiny")) throw new IllegalArgumentException("--size must be default or tiny, not " + size);
        if (ratio != null) Commands.fraction("--ratio", ratio, false);
        Recipe r = Recipe.demo(DemoSize.valueOf(size.toUpperCase(Locale.ROOT)));
        if (ratio != null) r = r.withRatio(ratio);
        if (seeds != null) r = r.withSeeds(seeds);
        if (precision != null) r = r.withPrecision(precision.trim().toLowerCase(Locale.ROOT));
        return RunCommand.run(r, out, sweep);
    }
}
