package rho4j.cli;

import java.io.IOException;
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
        rho4j.util.Interrupt.install();
        System.exit(execute(args));
    }

    /** Runs the CLI in-process (tests call this) and returns the exit code. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        try {
            cl.setDefaultValueProvider(ConfigDefaults.from(args, cl));
        } catch (RuntimeException | IOException e) {
            return Errors.report(e, "rho " + commandOf(cl, args), cl.getErr());
        }
        // Every failure is one line: bad options (picocli's usage text would bury the error), input errors, and bugs.
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + Errors.oneLine(ex.getMessage()) + " (see "
                    + c.getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> Errors.report(ex, cmd.getCommandSpec().qualifiedName(), cmd.getErr()));
        try {
            return cl.execute(args);
        } catch (RuntimeException | Error e) { // thrown outside a command's call() (help rendering, default values)
            return Errors.report(e, "rho " + commandOf(cl, args), cl.getErr());
        }
    }

    /** The subcommand words of {@code args}, for messages raised before picocli has parsed them. */
    static String commandOf(CommandLine cl, String[] args) {
        StringBuilder sb = new StringBuilder();
        CommandLine c = cl;
        for (String a : args) {
            CommandLine sub = c.getSubcommands().get(a);
            if (sub == null) break;
            sb.append(sb.length() == 0 ? "" : " ").append(a);
            c = sub;
        }
        return sb.length() == 0 ? "" : sb.toString();
    }

    /**
     * `--config FILE` (YAML or JSON, keys = long option names without dashes) supplies defaults; flags on the
     * command line override them.
     */
    static final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> values;

        private ConfigDefaults(Map<String, String> values) { this.values = values; }

        /**
         * Reads every --config file of {@code args}. Keys must be long options of a command that takes --config
         * (a typo would otherwise silently keep a default); errors name the file (and line for YAML syntax).
         */
        static ConfigDefaults from(String[] args, CommandLine cl) throws IOException {
            Map<String, String> v = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String file = args[i].equals("--config") && i + 1 < args.length ? args[i + 1] : args[i].startsWith("--config=") ? args[i].substring(9) : null;
                if (file == null) continue;
                Path p = Path.of(file);
                java.util.Set<String> known = configurable(cl, args);
                if (known.isEmpty()) continue; // no command here takes --config: picocli reports the option
                if (!Files.isRegularFile(p)) throw new java.nio.file.NoSuchFileException(p.toString(), null, "--config file not found");
                Object doc;
                try {
                    doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()))
                            .load(Files.readString(p));
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new IllegalArgumentException(p + ": --config file is not valid UTF-8; convert it to UTF-8");
                } catch (org.yaml.snakeyaml.error.MarkedYAMLException e) {
                    var mark = e.getProblemMark();
                    throw new IllegalArgumentException(p + (mark == null ? "" : ":" + (mark.getLine() + 1)) + ": not valid YAML (" + e.getProblem()
                            + "); fix the --config file (YAML or JSON: option names as keys)");
                } catch (org.yaml.snakeyaml.error.YAMLException e) {
                    throw new IllegalArgumentException(p + ": not valid YAML (" + Errors.oneLine(String.valueOf(e.getMessage())) + "); fix the --config file");
                } catch (RuntimeException e) { // a tag's own constructor (!!binary with bad base64, !!timestamp)
                    throw new IllegalArgumentException(p + ": not valid YAML (" + Errors.oneLine(String.valueOf(e.getMessage())) + "); fix the --config file");
                }
                if (doc == null) continue; // an empty file sets nothing
                if (!(doc instanceof Map<?, ?> m)) throw new IllegalArgumentException(p + ": expected a mapping of option names to values");
                for (var e : m.entrySet()) {
                    String key = String.valueOf(e.getKey()).replace('_', '-');
                    if (!known.contains(key))
                        throw new IllegalArgumentException(p + ": unknown key '" + e.getKey() + "'; keys are long option names without dashes: "
                                + String.join(", ", new java.util.TreeSet<>(known)));
                    Object val = e.getValue();
                    if (val instanceof Map<?, ?>) throw new IllegalArgumentException(p + ": key '" + e.getKey() + "' must be a value or a list, not a mapping");
                    v.put(key, val instanceof java.util.List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(val));
                }
            }
            return new ConfigDefaults(v);
        }

        /** Long option names (without dashes) of the commands on the line that take --config, --config itself excluded. */
        private static java.util.Set<String> configurable(CommandLine cl, String[] args) {
            java.util.Set<String> names = new java.util.HashSet<>();
            CommandLine c = cl;
            java.util.List<CommandLine> chain = new java.util.ArrayList<>();
            for (String a : args) {
                CommandLine sub = c.getSubcommands().get(a);
                if (sub == null) break;
                chain.add(c = sub);
            }
            for (CommandLine x : chain) {
                if (x.getCommandSpec().findOption("--config") == null) continue;
                for (var o : x.getCommandSpec().options()) names.add(o.longestName().replaceFirst("^-+", ""));
            }
            names.remove("config");
            names.remove("help");
            names.remove("version");
            return names;
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
