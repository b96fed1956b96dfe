package rho4j.analysis;

import rho4j.util.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link DynamicsResult}s to disk, atomically. Two formats:
 *
 * <p><b>dynamics.json</b> (what the HTML report reads):
 * <pre>
 * {"categories": {"H->H": pct, "L->H": pct, "H->L": pct, "L->L": pct},   // percentages, sum 100
 *  "counts": {"H->H": n, ...},
 *  "meanTrajectory": {"H->H": [loss per checkpoint], ...},               // [] for an empty category
 *  "x": [checkpoint x as given], "xNormalized": [0 .. 1],
 *  "tokens": N, "threshold": 0.2, "meanFinalLoss": f,
 *  "examples": {"H->H": [{"token": i, "change": c, "trajectory": [...]}, ...], ...}}
 * </pre>
 *
 * <p><b>category file</b>: exactly one byte per token, in the token order analysed, holding
 * {@link TokenCategory#code()} (0 = H->H, 1 = L->H, 2 = H->L, 3 = L->L). No header, so it can be memory-mapped next
 * to the token ids it describes.
 */
public final class DynamicsFiles {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DynamicsFiles() {}

    public static void writeJson(DynamicsResult r, Path out) throws IOException {
        AtomicFiles.write(out, MAPPER.writeValueAsBytes(toJson(r)));
    }

    public static ObjectNode toJson(DynamicsResult r) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode pct = root.putObject("categories");
        ObjectNode counts = root.putObject("counts");
        ObjectNode traj = root.putObject("meanTrajectory");
        for (TokenCategory c : TokenCategory.values()) {
            pct.put(c.label(), r.percentage(c));
            counts.put(c.label(), r.count(c));
            ArrayNode a = traj.putArray(c.label());
            for (double v : r.meanTrajectory()[c.ordinal()]) {
                a.add(v);
            }
        }
        ArrayNode x = root.putArray("x");
        for (double v : r.x()) {
            x.add(v);
        }
        ArrayNode xn = root.putArray("xNormalized");
        for (double v : r.xNormalized()) {
            xn.add(v);
        }
        root.put("tokens", r.tokens());
        root.put("threshold", r.threshold());
        // NaN (no tokens) is not valid JSON, so write null.
        if (Double.isFinite(r.meanFinalLoss())) {
            root.put("meanFinalLoss", r.meanFinalLoss());
        } else {
            root.putNull("meanFinalLoss");
        }
        ObjectNode ex = root.putObject("examples");
        for (TokenCategory c : TokenCategory.values()) {
            ArrayNode list = ex.putArray(c.label());
            for (DynamicsResult.Example e : r.examples().get(c)) {
                ObjectNode o = list.addObject();
                o.put("token", e.token());
                o.put("change", e.change());
                ArrayNode t = o.putArray("trajectory");
                for (float v : e.trajectory()) {
                    t.add(v);
                }
            }
        }
        return root;
    }

    /** One byte per token; see the class comment. */
    public static void writeCategories(DynamicsResult r, Path out) throws IOException {
        AtomicFiles.write(out, r.categories());
    }

    public static byte[] readCategories(Path in) throws IOException {
        byte[] b = Files.readAllBytes(in);
        for (int t = 0; t < b.length; t++) {
            if (b[t] < 0 || b[t] >= TokenCategory.values().length) {
                throw new IOException(in + ": byte " + t + " is " + b[t] + ", not a token category code");
            }
        }
        return b;
    }
}
