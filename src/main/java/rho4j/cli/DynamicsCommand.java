package rho4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch.ScalarType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.analysis.DynamicsFiles;
import rho4j.analysis.DynamicsResult;
import rho4j.analysis.TokenCategory;
import rho4j.analysis.TokenDynamics;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.train.Checkpoint;
import rho4j.train.Trainer;

@Command(name = "dynamics", mixinStandardHelpOptions = true,
        description = "Token loss dynamics across checkpoints: the paper's H->H, L->H, H->L, L->L categories.")
final class DynamicsCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, arity = "1..*", description = "checkpoint folders in training order, or run folders (all their checkpoints)")
    List<Path> runs;
    @Option(names = "--data", required = true, description = "validation token store") Path data;
    @Option(names = "--out", required = true, description = "output folder (dynamics.json, categories.u8)") Path out;
    @Option(names = "--windows", defaultValue = "32", description = "validation windows to follow") int windows;
    @Option(names = "--batch", defaultValue = "8") int batch;

    @Override
    public Integer call() throws Exception {
        List<Path> ckpts = checkpoints(runs);
        if (ckpts.size() < 2) throw new IllegalArgumentException("token dynamics need at least 2 checkpoints, found " + ckpts.size() + " in " + runs);
        double[] x = new double[ckpts.size()];
        float[][] losses = new float[ckpts.size()][];
        try (TokenStore store = TokenStore.open(data)) {
            for (int k = 0; k < ckpts.size(); k++) {
                Path c = ckpts.get(k);
                x[k] = Files.exists(c.resolve("state.json")) ? Checkpoint.readState(c).tokensSeen() : k;
                Llama m = Checkpoint.loadModel(c, Device.CPU, ScalarType.Float);
                losses[k] = Trainer.windowLosses(m, store, m.cfg.contextLength(), batch, windows);
                System.err.printf("dynamics: %s (%d tokens)%n", c, losses[k].length);
            }
        }
        DynamicsResult r = TokenDynamics.analyze(x, losses);
        Files.createDirectories(out);
        DynamicsFiles.writeJson(r, out.resolve("dynamics.json"));
        DynamicsFiles.writeCategories(r, out.resolve("categories.u8"));
        for (TokenCategory c : TokenCategory.values()) System.out.printf("%-5s %6.2f%%%n", c.label(), r.percentages()[c.ordinal()]);
        return 0;
    }

    static List<Path> checkpoints(List<Path> given) throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : given) {
            Path dir = p.resolve("checkpoints");
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    s.filter(q -> q.getFileName().toString().startsWith("step-")).sorted().forEach(out::add);
                }
            } else out.add(p);
        }
        return out;
    }
}
