package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.analysis.CheckpointLosses;
import rho4j.analysis.DynamicsFiles;
import rho4j.analysis.DynamicsResult;
import rho4j.analysis.TokenCategory;
import rho4j.data.TokenStore;

@Command(name = "dynamics", mixinStandardHelpOptions = true,
        description = "Token loss dynamics across checkpoints: the paper's H->H, L->H, H->L, L->L categories.")
final class DynamicsCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, arity = "1..*", description = "checkpoint folders in training order, or run folders (all their checkpoints)")
    List<Path> runs;
    @Option(names = "--data", required = true, description = "validation token store") Path data;
    @Option(names = "--out", required = true, description = "output folder (dynamics.json, categories.u8)") Path out;
    @Option(names = "--windows", defaultValue = "32", description = "validation windows to follow") int windows;
    @Option(names = "--batch", defaultValue = "8") int batch;
    @Option(names = "--device", defaultValue = "cpu") String device;

    @Override
    public Integer call() throws Exception {
        Commands.atLeast("--windows", windows, 1);
        Commands.atLeast("--batch", batch, 1);
        DynamicsResult r;
        try (TokenStore store = TokenStore.open(data)) {
            r = CheckpointLosses.analyze(CheckpointLosses.checkpoints(runs), rho4j.engine.Device.parse(device), store, windows, batch, System.err);
        }
        Files.createDirectories(out);
        DynamicsFiles.writeJson(r, out.resolve("dynamics.json"));
        DynamicsFiles.writeCategories(r, out.resolve("categories.u8"));
        for (TokenCategory c : TokenCategory.values()) System.out.printf("%-5s %6.2f%%%n", c.label(), r.percentages()[c.ordinal()]);
        return 0;
    }
}
