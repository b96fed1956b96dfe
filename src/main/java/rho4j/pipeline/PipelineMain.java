package rho4j.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import rho4j.demo.DemoSize;

/**
 * {@code PipelineMain (RECIPE.yaml | --demo tiny|default) [--out DIR] [--sweep ratio=0.4,0.5,...]}: runs the pipeline
 * (or a ratio sweep) and prints the results table and the wall time.
 */
public final class PipelineMain {
    private PipelineMain() {}

    public static void main(String[] args) throws Exception {
        Recipe recipe = null;
        Path out = null;
        List<Double> sweep = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--demo" -> recipe = Recipe.demo(DemoSize.valueOf(args[++i].toUpperCase(Locale.ROOT)));
                case "--out" -> out = Path.of(args[++i]);
                case "--sweep" -> sweep = parseSweep(args[++i]);
                default -> {
                    if (args[i].startsWith("--")) usage("unknown option " + args[i]);
                    recipe = Recipe.load(Path.of(args[i]));
                }
            }
        }
        if (recipe == null) usage("give a recipe file or --demo tiny|default");
        if (out == null) out = Path.of("runs", recipe.name());
        long t0 = System.nanoTime();
        if (sweep == null) Pipeline.run(recipe, out, System.out);
        else Pipeline.sweep(recipe, sweep, out, System.out);
        System.out.printf(Locale.ROOT, "wall time %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** {@code ratio=0.4,0.5}: only the selection ratio can be swept for now. */
    static List<Double> parseSweep(String spec) {
        if (!spec.startsWith("ratio=")) throw new IllegalArgumentException("--sweep takes ratio=R1,R2,...; got '" + spec + "'");
        List<Double> out = new ArrayList<>();
        for (String s : spec.substring("ratio=".length()).split(",")) {
            try {
                out.add(Double.parseDouble(s.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sweep: '" + s + "' is not a number in '" + spec + "'");
            }
        }
        return out;
    }

    private static void usage(String why) {
        System.err.println("rho pipeline: " + why + "\nusage: PipelineMain (RECIPE.yaml | --demo tiny|default) [--out DIR] [--sweep ratio=0.4,0.5,...]");
        System.exit(2);
    }
}
