package rho4j.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seeded generator of the noisy training corpus: web-like documents mixing useful arithmetic text (same format as
 * the target domain, {@link Problem#text()}) with labelled noise of the kinds in {@link NoiseKind}. All text is
 * ASCII, so char offsets equal byte offsets for any byte-level tokenizer.
 */
public final class NoisyCorpus {

    /**
     * @param targetChars   generate documents until the corpus text reaches this many chars
     * @param noiseFraction target fraction of corpus chars inside noise segments, in [0, 1]
     * @param seed          all randomness derives from it
     * @param noiseKinds    which noise kinds to draw from (uniformly); must not contain NONE
     */
    public record Config(int targetChars, double noiseFraction, long seed, Set<NoiseKind> noiseKinds,
                         ArithmeticProblems.Level level) {
        public Config {
            Objects.requireNonNull(level, "level");
            if (targetChars <= 0) {
                throw new IllegalArgumentException("targetChars must be > 0");
            }
            if (!(noiseFraction >= 0 && noiseFraction <= 1)) {
                throw new IllegalArgumentException("noiseFraction must be in [0, 1]");
            }
            noiseKinds = Set.copyOf(noiseKinds);
            if (noiseKinds.contains(NoiseKind.NONE) || (noiseKinds.isEmpty() && noiseFraction > 0)) {
                throw new IllegalArgumentException("noiseKinds must be noise kinds, and non-empty if noiseFraction > 0");
            }
        }

        public Config(int targetChars, double noiseFraction, long seed, Set<NoiseKind> noiseKinds) {
            this(targetChars, noiseFraction, seed, noiseKinds, ArithmeticProblems.Level.WORD);
        }

        /** All noise kinds. */
        public Config(int targetChars, double noiseFraction, long seed) {
            this(targetChars, noiseFraction, seed, EnumSet.complementOf(EnumSet.of(NoiseKind.NONE)));
        }

        /** All noise kinds, problems of the given level. */
        public Config(int targetChars, double noiseFraction, long seed, ArithmeticProblems.Level level) {
            this(targetChars, noiseFraction, seed, EnumSet.complementOf(EnumSet.of(NoiseKind.NONE)), level);
        }
    }

    // Documents are sized like short web pages: long enough to mix several segments, short enough for small contexts.
    private static final int MIN_DOC_CHARS = 600;
    private static final int MAX_DOC_CHARS = 2400;
    /** Per-document bias of the noise decision, in chars: makes some docs cleaner and some noisier than average. */
    private static final int DOC_BIAS_CHARS = 600;
    private static final int JITTER_CHARS = 300;

    private final Config config;
    private final SplittableRandom rng;
    private final ArithmeticProblems problems;
    private final NoiseKind[] kinds;
    private final double wrongShare;
    /** Share of the useful draws that come out as a problem with a wrong result (when WRONG_ARITHMETIC is a kind). */
    static final double WRONG_SHARE = 0.4;
    private long totalChars;
    private long noiseChars;

    private NoisyCorpus(Config config) {
        this.config = config;
        SplittableRandom root = new SplittableRandom(config.seed());
        this.problems = new ArithmeticProblems(root.nextLong(), ArithmeticProblems.Split.TRAIN, config.level());
        this.rng = root.split();
        // Enum order, not Set order, so the draw is deterministic. Wrong arithmetic is not drawn as a segment of its
        // own: a share of the useful problems comes out with a wrong result instead.
        this.kinds = config.noiseKinds().stream().filter(k -> k != NoiseKind.WRONG_ARITHMETIC).sorted().toArray(NoiseKind[]::new);
        this.wrongShare = config.noiseKinds().contains(NoiseKind.WRONG_ARITHMETIC) && config.noiseFraction() > 0 ? WRONG_SHARE : 0;
    }

    public static List<Doc> generate(Config config) {
        Objects.requireNonNull(config, "config");
        return new NoisyCorpus(config).run();
    }

    private List<Doc> run() {
        List<Doc> docs = new ArrayList<>();
        while (totalChars < config.targetChars()) {
            docs.add(doc());
        }
        return docs;
    }

    private Doc doc() {
        int target = rng.nextInt(MIN_DOC_CHARS, MAX_DOC_CHARS + 1);
        double bias = (rng.nextDouble() * 2 - 1) * DOC_BIAS_CHARS;
        List<Segment> segs = new ArrayList<>();
        int len = 0;
        while (len < target) {
            List<Segment> next = chooseNoise(bias) ? List.of(noise(kinds[rng.nextInt(kinds.length)]))
                : wrongShare > 0 && rng.nextDouble() < wrongShare ? wrongArithmetic() : List.of(useful());
            for (Segment s : next) {
                segs.add(s);
                len += s.text().length();
                totalChars += s.text().length();
                if (s.noise()) {
                    noiseChars += s.text().length();
                }
            }
        }
        return new Doc(segs);
    }

    /**
     * Deficit rule: noise when the corpus so far has fewer noise chars than the target share, shifted by a per-doc
     * bias and a per-segment jitter. The global fraction tracks the target within about one segment's length.
     */
    private boolean chooseNoise(double docBias) {
        double f = config.noiseFraction();
        if (f <= 0) {
            return false;
        }
        if (f >= 1) {
            return true;
        }
        double jitter = (rng.nextDouble() * 2 - 1) * JITTER_CHARS;
        return noiseChars + jitter - docBias < f * totalChars;
    }

    // ---- useful text ------------------------------------------------------------------------------------------

    private Segment useful() {
        // Mostly full problems (the target format); sometimes a one-line arithmetic explanation.
        String text = rng.nextInt(100) < 85 ? problems.next().text() : explanation();
        return new Segment(text + "\n", NoiseKind.NONE);
    }

    private String explanation() {
        int a = rng.nextInt(2, 40), b = rng.nextInt(2, 13);
        return switch (rng.nextInt(4)) {
            case 0 -> "To find the cost of %d items at $%d each, multiply: %d * %d = %d.\n".formatted(b, a, b, a, a * b);
            case 1 -> "Sharing %d things equally into %d groups gives %d / %d = %d in each group.\n"
                .formatted(a * b, b, a * b, b, a);
            case 2 -> "If you have %d and give away %d, you keep %d - %d = %d.\n".formatted(a + b, b, a + b, b, a);
            default -> "Putting %d and %d together makes %d + %d = %d.\n".formatted(a, b, a, b, a + b);
        };
    }

    // ---- noise ------------------------------------------------------------------------------------------------

    private Segment noise(NoiseKind kind) {
        String text = switch (kind) {
            case RANDOM_CHARS -> randomChars();
            case MARKUP -> markup();
            case SHUFFLED -> shuffled();
            case RANDOM_DIGITS -> randomDigits();
            case FILLER -> filler();
            case NONE, WRONG_ARITHMETIC -> throw new IllegalArgumentException(kind + " is not drawn as a noise segment");
        };
        return new Segment(text + "\n", kind);
    }

    /**
     * A problem whose last result is off by 1 or 2 (the final answer repeats the wrong result), as worked answers on
     * the web sometimes are: a useful segment up to the last " =", then a noise segment from the wrong result on (the
     * space before it included, so a byte-level token " 13" lies wholly inside the noise).
     */
    private List<Segment> wrongArithmetic() {
        Problem p = problems.next();
        String text = p.text();
        int eq = text.lastIndexOf(" = ") + 2;
        long wrong;
        do {
            wrong = p.answer() + (rng.nextBoolean() ? 1 : -1) * rng.nextInt(1, 3);
        } while (wrong < 0);
        String rest = text.substring(eq), right = " " + p.answer();
        if (!rest.startsWith(right)) throw new IllegalStateException("last step is not the answer: " + text); // template bug guard
        String suffix = " " + wrong + rest.substring(right.length()).replace("The answer is " + p.answer() + ".", "The answer is " + wrong + ".");
        return List.of(new Segment(text.substring(0, eq), NoiseKind.NONE), new Segment(suffix + "\n", NoiseKind.WRONG_ARITHMETIC));
    }

    private static final String PRINTABLE =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ ";

    private String randomChars() {
        StringBuilder sb = new StringBuilder();
        for (int line = rng.nextInt(1, 5); line > 0; line--) {
            for (int n = rng.nextInt(20, 81); n > 0; n--) {
                sb.append(PRINTABLE.charAt(rng.nextInt(PRINTABLE.length())));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static final String[] SITES = {"DailyDeals", "CityNews", "ShopNow", "MyBlog", "TechTalk", "HomeGuide"};
    private static final String[] SECTIONS = {"News", "Sports", "Shop", "Blog", "About", "Contact", "Help", "Deals"};
    private static final String[] MARKUP_LINES = {
        "<div class=\"nav\"><a href=\"/\">Home</a> | <a href=\"/%2$s\">%3$s</a> | <a href=\"/contact\">Contact</a></div>",
        "We use cookies to improve your experience. By continuing to browse %1$s you accept our Cookie Policy. [Accept] [Reject]",
        "<footer>Copyright %4$d %1$s Ltd. All rights reserved.</footer>",
        "Privacy Policy | Terms of Service | Contact Us | Sitemap",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "Home > %3$s > Page %5$d",
        "Share on Facebook | Share on Twitter | Email this page",
        "<script src=\"/static/js/main.js\"></script>",
        "Subscribe to the %1$s newsletter! Enter your email address: [          ] [Sign up]",
        "<ul class=\"menu\"><li>Home</li><li>%3$s</li><li>Login</li></ul>",
        "Skip to main content",
        "Posted in %3$s | Leave a comment",
    };

    private String markup() {
        String site = SITES[rng.nextInt(SITES.length)];
        String section = SECTIONS[rng.nextInt(SECTIONS.length)];
        int year = rng.nextInt(2005, 2025);
        int page = rng.nextInt(1, 20);
        StringBuilder sb = new StringBuilder();
        for (int line = rng.nextInt(2, 7); line > 0; line--) {
            sb.append(MARKUP_LINES[rng.nextInt(MARKUP_LINES.length)]
                .formatted(site, section.toLowerCase(), section, year, page)).append('\n');
        }
        return sb.toString();
    }

    /** A fresh useful problem split into sentences/lines, in a changed order: locally fluent, globally incoherent. */
    private String shuffled() {
        List<String> lines = new ArrayList<>();
        for (String line : problems.next().text().split("\n")) {
            // Question lines hold several sentences; split them so there is more to shuffle.
            lines.addAll(Arrays.asList(line.split("(?<=[.?]) ")));
        }
        List<String> original = List.copyOf(lines);
        Collections.shuffle(lines, new java.util.Random(rng.nextLong()));
        if (lines.equals(original)) {
            Collections.rotate(lines, 1); // every problem has >= 3 lines, so a rotation always changes the order
        }
        return String.join("\n", lines) + "\n";
    }

    private static final String[] DIGIT_LABELS = {
        "ID: ", "Order #", "Ref. no. ", "Tracking number: ", "Session ", "Invoice ", "Customer number ", "Code: "
    };

    private String randomDigits() {
        StringBuilder sb = new StringBuilder();
        for (int line = rng.nextInt(1, 5); line > 0; line--) {
            sb.append(DIGIT_LABELS[rng.nextInt(DIGIT_LABELS.length)]);
            for (int n = rng.nextInt(6, 13); n > 0; n--) {
                sb.append((char) ('0' + rng.nextInt(10)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static final String[] ADJ = {
        "old", "quiet", "bright", "small", "busy", "green", "narrow", "famous", "cold", "gentle", "modern", "empty"
    };
    private static final String[] NOUN = {
        "library", "river", "garden", "market", "village", "painter", "museum", "forest", "station", "harbor", "poet",
        "bridge", "festival", "castle", "orchestra", "valley"
    };
    private static final String[] VERB = {
        "stood", "waited", "opened", "appeared", "rested", "changed", "shone", "remained", "grew", "listened"
    };
    private static final String[] ADVERB = {"quietly", "slowly", "often", "suddenly", "calmly", "rarely", "proudly"};
    private static final String[] PREP = {"near", "behind", "beside", "above", "across from", "far from", "under"};

    private String filler() {
        StringBuilder sb = new StringBuilder();
        for (int n = rng.nextInt(2, 6); n > 0; n--) {
            String sentence = "the %s %s %s %s %s the %s %s.".formatted(
                ADJ[rng.nextInt(ADJ.length)], NOUN[rng.nextInt(NOUN.length)], VERB[rng.nextInt(VERB.length)],
                ADVERB[rng.nextInt(ADVERB.length)], PREP[rng.nextInt(PREP.length)], ADJ[rng.nextInt(ADJ.length)],
                NOUN[rng.nextInt(NOUN.length)]);
            sb.append(Character.toUpperCase(sentence.charAt(0))).append(sentence, 1, sentence.length());
            sb.append(n > 1 ? " " : "\n");
        }
        return sb.toString();
    }
}
