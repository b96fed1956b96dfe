package rho4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import rho4j.engine.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.data.TokenStore;
import rho4j.engine.Device;
import rho4j.model.Llama;
import rho4j.score.Scorer;
import rho4j.model.ModelFiles;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Compute reference losses L_ref for every token of a store (resumable; bound to store, tokenizer and model by checksums).")
final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "reference run or model folder") Path run;
    @Option(names = "--data", required = true, description = "token store to score") Path data;
    @Option(names = "--out", required = true, description = "scores folder") Path out;
    @Option(names = "--batch", defaultValue = "16", description = "windows per forward pass") int batch;
    @Option(names = "--entropy", description = "also store the reference model's predictive entropy") boolean entropy;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--precision", defaultValue = "auto", description = "fp32, bf16 (mixed: bf16 products, fp32 losses) or auto (bf16 where the hardware runs it fast; see `rho info`)") String precision;

    @Override
    public Integer call() throws Exception {
        Commands.atLeast("--batch", batch, 1);
        Path modelDir = ModelFiles.modelDir(run);
        Device dev = Device.parse(device);
        Llama ref = ModelFiles.load(modelDir, dev, DType.FP32).setPrecision(Commands.precision("score", precision, dev)); // scores stay fp32
        try (TokenStore store = TokenStore.open(data); var lock = Commands.writer() ? rho4j.util.FolderLock.acquire(out, "scores folder") : null;
             var armed = rho4j.util.Interrupt.arm()) {
            var tok = Commands.tokenizerOf(modelDir);
            if (tok != null && !rho4j.tokenize.HfTokenizer.load(tok).hash().equals(store.meta().tokenizerHash()))
                throw new IllegalArgumentException("the reference model in " + modelDir + " was trained with another tokenizer than store " + data
                        + " was tokenized with; prepare the store with the reference run's tokenizer.json");
            Scorer.Result r = Scorer.run(ref, modelDir, store, out, batch, entropy, System.err);
            if (rho4j.engine.Distributed.get().leader()) // rank 0 wrote the files; the other ranks' figures are their shares
                System.out.printf("scored %d tokens: mean reference loss %.4f, %.0f tokens/s -> %s%n", r.scored(), r.meanLoss(), r.tokensPerSecond(), out);
        }
        return 0;
    }
}
