package rho4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import rho4j.report.HtmlReport;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Write one self-contained HTML report for runs (curves, selection, evaluation, dynamics, token view).")
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", description = "run folders") List<Path> runs;
    @Option(names = "--out", defaultValue = "report.html") Path out;

    @Override
    public Integer call() throws Exception {
        HtmlReport.write(runs, out);
        System.out.println("report -> " + out);
        return 0;
    }
}
