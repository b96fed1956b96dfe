package rho4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `rho` command line: one subcommand per pipeline step. */
@Command(name = "rho", mixinStandardHelpOptions = true, version = "rho4j 0.1.0",
        description = "Selective Language Modeling (Rho-1) in Java: train a reference model, score tokens, train on the ones that matter.",
        subcommands = {TokenizerCommand.class, PrepareCommand.class, TrainCommand.class, ScoreCommand.class, GenerateCommand.class,
                EvalCommand.class, InfoCommand.class, DynamicsCommand.class, ReportCommand.class, RunCommand.class,
                DemoCommand.class, BenchCommand.class, LaunchCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI in-process (tests call this) and returns the exit code. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        try {
            cl.setDefaultValueProvider(ConfigDefaults.from(args));
        } catch (UncheckedIOException | IllegalArgumentException e) {
            System.err.println("rho: " + e.getMessage());
            return 2;
        }
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Errors users can act on get one clear line; bugs keep their stack trace.
            Throwable e = ex instanceof UncheckedIOException u ? u.getCause() : ex;
            if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof rho4j.data.CorpusException) {
                cmd.getErr().println("rho " + cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    /**
     * `--config FILE` (YAML or JSON, keys = long option names without dashes) supplies defaults; flags on the
     * command line override them.
     */
    static final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> values;

        private ConfigDefaults(Map<String, String> values) { this.values = values; }

        static ConfigDefaults from(String[] args) {
            Map<String, String> v = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String file = args[i].equals("--config") && i + 1 < args.length ? args[i + 1] : args[i].startsWith("--config=") ? args[i].substring(9) : null;
                if (file == null) continue;
                Path p = Path.of(file);
                try {
                    Object doc = new org.yaml.snakeyaml.Yaml().load(Files.readString(p));
                    if (!(doc instanceof Map<?, ?> m)) throw new IllegalArgumentException(p + ": expected a mapping of option names to values");
                    m.forEach((k, val) -> v.put(String.valueOf(k).replace('_', '-'), val instanceof java.util.List<?> l
                            ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(val)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read --config " + p + ": " + e.getMessage(), e);
                }
            }
            return new ConfigDefaults(v);
        }

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (arg instanceof CommandLine.Model.OptionSpec o) {
                String key = o.longestName().replaceFirst("^-+", "");
                if (values.containsKey(key)) return values.get(key);
            }
            return arg.defaultValue();
        }
    }
}
