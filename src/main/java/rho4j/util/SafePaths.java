package rho4j.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Names and links read from files must stay inside the folder they belong to. */
public final class SafePaths {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=-]{0,127}");

    private SafePaths() {}

    /**
     * {@code base.resolve(relative)}, refused unless it lies inside {@code inside} (a folder of base), also after
     * resolving symbolic links; {@code source} is the file the name came from, for the message.
     */
    public static Path resolveInside(Path base, String relative, Path inside, Path source) throws IOException {
        Path p = base.resolve(relative).normalize();
        Path root = inside.toAbsolutePath().normalize();
        boolean ok = !relative.isBlank() && !Path.of(relative).isAbsolute() && p.toAbsolutePath().normalize().startsWith(root);
        if (ok && Files.exists(p)) ok = p.toRealPath().startsWith(Files.exists(root) ? root.toRealPath() : root);
        if (!ok) throw new IOException(source + ": names '" + relative + "', which is not inside " + inside + "; it may only name a folder there");
        return p;
    }

    /** A single folder or file name (a recipe name becomes runs/NAME): no separators, no "..", no leading dot or dash. */
    public static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches() || name.contains(".."))
            throw new IllegalArgumentException(what + " '" + name + "' must be a plain name (letters, digits, . _ + = -; no / or ..; at most 128 characters)");
        return name;
    }
}
