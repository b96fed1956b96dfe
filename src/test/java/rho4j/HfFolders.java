package rho4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Random-weight Hugging Face folders made by bench/hf_folders.py under Debian's python3-torch (tests skip without
 * it), and per-token log-probs of such folders by bench/peer.py's independent model.
 */
public final class HfFolders {
    private HfFolders() {}

    static final Path SCRIPT_DIR = Path.of("bench").toAbsolutePath();

    /** One Python process makes every folder: kinds[i] -> outs[i] (vocab ids, tokenizer copied in when given). */
    public static void make(List<String> kinds, List<Path> outs, int vocab, Path tokenizer) throws IOException, InterruptedException {
        StringBuilder py = new StringBuilder("import sys\nsys.path.insert(0, " + q(SCRIPT_DIR) + ")\nimport hf_folders\n");
        for (int i = 0; i < kinds.size(); i++)
            py.append("hf_folders.make(").append(q(kinds.get(i))).append(", ").append(q(outs.get(i))).append(", ").append(vocab).append(", ")
                    .append(tokenizer == null ? "None" : q(tokenizer)).append(", ").append(i).append(")\n");
        PythonTorch.run(py.toString());
    }

    /** float64 log P(x_t | x_<t), t >= 1, of each row of tokens (JSON [[ids]]) for each folder, written to outs. */
    public static void logprobs(List<Path> folders, Path tokensJson, List<Path> outs) throws IOException, InterruptedException {
        StringBuilder py = new StringBuilder("import sys\nsys.path.insert(0, " + q(SCRIPT_DIR) + ")\nimport hf_folders, torch\ntorch.set_num_threads(1)\n");
        for (int i = 0; i < folders.size(); i++)
            py.append("hf_folders.logprobs(").append(q(folders.get(i))).append(", ").append(q(tokensJson)).append(", ").append(q(outs.get(i))).append(")\n");
        PythonTorch.run(py.toString());
    }

    private static String q(Object o) { return "'" + o.toString().replace("\\", "\\\\").replace("'", "\\'") + "'"; }
}
