package rho4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import rho4j.util.Interrupt;

/**
 * The one place where an exception becomes what the user sees: a single line {@code rho CMD: message} and a non-zero
 * exit. Errors of the input (files, options, data) exit 2; anything else is a bug or an environment failure, exits 1
 * and says how to get the stack trace (RHO_DEBUG=1, which prints it for every error).
 */
final class Errors {
    private Errors() {}

    static boolean debug() {
        String d = System.getenv("RHO_DEBUG");
        return d != null && !d.isBlank() && !d.equals("0");
    }

    static int report(Throwable ex, String command, PrintWriter err) {
        Throwable e = ex;
        while ((e instanceof UncheckedIOException || e instanceof java.util.concurrent.ExecutionException
                || e instanceof picocli.CommandLine.ExecutionException) && e.getCause() != null) e = e.getCause();
        if (debug()) ex.printStackTrace(err);
        int code;
        String msg;
        if (e instanceof Interrupt.Stopped s) {
            code = s.exitCode();
            msg = s.getMessage();
        } else if (e instanceof OutOfMemoryError) {
            code = 2;
            msg = "out of memory (" + e.getMessage() + "); use smaller sizes (model, --micro-batch, --vocab-size, input) or give the JVM more with"
                    + " RHO_JAVA_OPTS=-Xmx8g";
        } else if (e instanceof StackOverflowError) {
            code = 2;
            msg = "input nested too deeply to read (stack overflow); simplify the file";
        } else if (e instanceof FileSystemException f && (f instanceof NoSuchFileException || f instanceof AccessDeniedException
                || f instanceof FileAlreadyExistsException || f.getReason() == null)) {
            code = 2;
            String what = f instanceof NoSuchFileException ? "not found" : f instanceof AccessDeniedException ? "permission denied"
                    : f instanceof FileAlreadyExistsException ? "already exists" : "file system error";
            msg = f.getFile() + ": " + (f.getReason() != null ? f.getReason() : what) + (f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "");
            if (f.getReason() != null && f instanceof NoSuchFileException && !f.getReason().contains("not found")) msg += " (not found)";
        } else if (e instanceof CharacterCodingException) {
            code = 2;
            msg = "a file is not valid UTF-8 (" + e + "); convert it to UTF-8";
        } else if (e instanceof IOException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof rho4j.data.CorpusException) {
            code = 2;
            msg = e.getMessage() == null ? e.toString() : e.getMessage();
        } else {
            code = 1;
            msg = "internal error: " + e + (debug() ? "" : " (run with RHO_DEBUG=1 for the trace)");
        }
        err.println(command + ": " + oneLine(msg));
        err.flush();
        return code;
    }

    /** Messages from libraries may span lines (YAML marks, JSON excerpts): the first line carries the point. */
    static String oneLine(String msg) {
        String s = msg.strip();
        int nl = s.indexOf('\n');
        if (nl < 0) return s;
        // Keep short continuation lines (a YAML "in 'reader', line 2, column 5" mark) joined; drop long excerpts.
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\\R")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("^")) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(l);
            if (sb.length() > 400) break;
        }
        return sb.toString();
    }
}
