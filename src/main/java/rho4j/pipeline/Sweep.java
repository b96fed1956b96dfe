package rho4j.pipeline;

import java.util.ArrayList;
import java.util.List;

/** The `--sweep` specification of `rho run`. */
public final class Sweep {
    private Sweep() {}

    /** {@code ratio=0.4,0.5}: only the selection ratio can be swept for now. */
    public static List<Double> parse(String spec) {
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
}
