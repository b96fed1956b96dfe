package rho4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import rho4j.util.Json;

/** RUN/selection/step-N.json: a micro-batch's target ids, reference and model losses and the mask, for the token view. */
final class SelectionDump {
    private SelectionDump() {}

    static void write(Path run, int step, Batch b, int n, float[] modelLoss, boolean[] mask) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("step", step);
        var seqs = root.putArray("sequences");
        int T = b.T;
        for (int s0 = 0; s0 < n; s0++) {
            ObjectNode q = seqs.addObject();
            q.put("start", b.starts[s0]);
            var ids = q.putArray("targets");
            var rl = q.putArray("ref_loss");
            var ml = q.putArray("model_loss");
            var sl = q.putArray("selected");
            for (int t = 0; t < T; t++) {
                int i = s0 * T + t;
                ids.add(b.targets[i]);
                rl.add(b.refLoss == null ? Float.NaN : b.refLoss[i]);
                ml.add(modelLoss[i]);
                sl.add(mask[i]);
            }
        }
        Json.write(run.resolve("selection").resolve(String.format("step-%06d.json", step)), root);
    }
}
