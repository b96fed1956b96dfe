package rho4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import rho4j.engine.Device;
import rho4j.model.Generator;
import rho4j.model.TorchLanguageModel;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text from a run (greedy or top-p sampling, with a KV cache).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run or model folder") Path run;
    @Option(names = "--prompt", required = true) String prompt;
    @Option(names = "--max-new-tokens", defaultValue = "128") int maxNew;
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy") double temperature;
    @Option(names = "--top-p", defaultValue = "0.9") double topP;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--stop", description = "stop strings") List<String> stops;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--precision", defaultValue = "auto", description = "fp32, bf16 (mixed: bf16 products, fp32 losses) or auto (bf16 where the hardware runs it fast; see `rho info`)") String precision;

    @Override
    public Integer call() throws Exception {
        Commands.atLeast("--max-new-tokens", maxNew, 1);
        if (!(temperature >= 0 && Double.isFinite(temperature))) throw new IllegalArgumentException("--temperature must be >= 0 (0 = greedy), got " + temperature);
        Commands.fraction("--top-p", topP, false);
        Device dev = Device.parse(device);
        TorchLanguageModel lm = TorchLanguageModel.load(run, dev);
        lm.model().setPrecision(Commands.precision("generate", precision, dev));
        System.out.print(prompt);
        Generator.Result r = new Generator(lm).generate(prompt, maxNew, temperature, topP, seed, stops == null ? List.of() : stops, s -> {
            System.out.print(s);
            System.out.flush();
        });
        System.out.println();
        System.err.printf("[%d prompt tokens, %d new, %.1f tok/s, stopped: %s]%n", r.promptTokens(), r.newTokens(), r.tokensPerSecond(), r.reason());
        return 0;
    }
}
