package rho4j.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded generator of grade-school arithmetic word problems with worked solutions (GSM8K-like, but small and exact:
 * every step is one integer operation whose result is a non-negative integer, divisions are exact by construction).
 *
 * <p>Train / held-out / test problems are separated by a stable hash of the question text ({@link #splitOf}), so the
 * sets are disjoint whatever seeds are used, and a generator never repeats a question it has already produced.
 */
public final class ArithmeticProblems {
    /** The text format of the generated problems, in the demo data's cache key: bumped when a seed's text changes. */
    public static final int FORMAT = 2;

    /** Which disjoint set a question belongs to; decided by the question's text alone. */
    public enum Split {
        /** Reference-model data and useful noisy-corpus segments (80% of the hash space). */
        TRAIN,
        /** Held-out target-domain docs for measuring held-out loss (10%). */
        HOLDOUT,
        /** Test problems for accuracy (10%). */
        TEST
    }

    private static final String[] NAMES = {
        "Ava", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kira", "Liam", "Maya",
        "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe",
        "Aiden", "Bella", "Chen", "Dina", "Emil", "Fatima", "Gus", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Marco",
        "Nadia"
    };
    // Plural nouns that read naturally after a count ("3 pencils").
    private static final String[] GOODS = {
        "pencils", "notebooks", "erasers", "apples", "oranges", "toy cars", "comic books", "bottles of juice",
        "cupcakes", "candles", "markers", "muffins", "packs of stickers", "plant pots", "tennis balls"
    };
    // Singular / plural pairs for sentences that need both forms.
    private static final String[][] ITEMS = {
        {"shirt", "shirts"}, {"lamp", "lamps"}, {"backpack", "backpacks"}, {"board game", "board games"},
        {"water bottle", "water bottles"}, {"pair of shoes", "pairs of shoes"}, {"scarf", "scarves"},
        {"jacket", "jackets"}, {"puzzle", "puzzles"}, {"kite", "kites"}
    };
    private static final String[] SWEETS = {"candies", "cookies", "grapes", "chocolates", "strawberries", "crackers"};
    private static final String[] INGREDIENTS = {"eggs", "cups of flour", "spoons of sugar", "bananas", "lemons"};
    private static final String[] FOODS = {"pancakes", "muffins", "banana bread", "cookies", "lemon cake", "waffles"};
    private static final String[] FRUIT_TREES = {"apple", "pear", "orange", "peach", "plum"};
    private static final String[] PLACES = {"zoo", "museum", "aquarium", "cinema", "circus", "science fair"};
    private static final String[] PURCHASES = {"bike", "video game", "guitar", "skateboard", "camera", "tent"};
    private static final String[] COLLECTIBLES = {"stickers", "stamps", "shells", "coins", "cards", "marbles"};

    private record Template(String name, Function<SplittableRandom, Problem> make) {}

    private static final List<Template> TEMPLATES = List.of(
        new Template("shopping-change", ArithmeticProblems::shoppingChange),
        new Template("shopping-total", ArithmeticProblems::shoppingTotal),
        new Template("sharing", ArithmeticProblems::sharing),
        new Template("speed-distance", ArithmeticProblems::speedDistance),
        new Template("travel-time", ArithmeticProblems::travelTime),
        new Template("ages-times", ArithmeticProblems::agesTimes),
        new Template("ages-difference", ArithmeticProblems::agesDifference),
        new Template("area-seeds", ArithmeticProblems::areaSeeds),
        new Template("perimeter-fence", ArithmeticProblems::perimeterFence),
        new Template("savings", ArithmeticProblems::savings),
        new Template("recipe", ArithmeticProblems::recipe),
        new Template("reading", ArithmeticProblems::reading),
        new Template("chairs", ArithmeticProblems::chairs),
        new Template("harvest", ArithmeticProblems::harvest),
        new Template("wages", ArithmeticProblems::wages),
        new Template("bus", ArithmeticProblems::bus),
        new Template("pizza", ArithmeticProblems::pizza),
        new Template("tickets", ArithmeticProblems::tickets),
        new Template("laps", ArithmeticProblems::laps),
        new Template("discount", ArithmeticProblems::discount),
        new Template("tank", ArithmeticProblems::tank),
        new Template("cartons", ArithmeticProblems::cartons),
        new Template("marbles", ArithmeticProblems::marbles),
        new Template("collection", ArithmeticProblems::collection));

    // One operation on one-digit numbers (subtraction from 10-19): a task a small model learns within minutes.
    private static final List<Template> ONE_STEP_TEMPLATES = List.of(
        new Template("buy-more", ArithmeticProblems::buyMore),
        new Template("give-away", ArithmeticProblems::giveAway),
        new Template("bags", ArithmeticProblems::bags),
        new Template("share", ArithmeticProblems::share));

    /** How hard the problems are: multi-step word problems (GSM8K-like), or one operation on one-digit numbers. */
    public enum Level {
        WORD(TEMPLATES), ONE_STEP(ONE_STEP_TEMPLATES);

        private final List<Template> templates;

        Level(List<Template> templates) {
            this.templates = templates;
        }
    }

    private final SplittableRandom rng;
    private final Split split;
    private final List<Template> templates;
    private final Set<String> seen = new HashSet<>();

    public ArithmeticProblems(long seed, Split split) {
        this(seed, split, Level.WORD);
    }

    public ArithmeticProblems(long seed, Split split, Level level) {
        this.rng = new SplittableRandom(seed);
        this.split = split;
        this.templates = level.templates;
    }

    /** The next problem of this generator's split, never repeating an earlier question of this generator. */
    public Problem next() {
        while (true) {
            Problem p = templates.get(rng.nextInt(templates.size())).make().apply(rng);
            if (splitOf(p.question()) == split && seen.add(p.question())) {
                return p;
            }
        }
    }

    public static List<Problem> generate(long seed, Split split, int count) {
        return generate(seed, split, Level.WORD, count);
    }

    public static List<Problem> generate(long seed, Split split, Level level, int count) {
        ArithmeticProblems gen = new ArithmeticProblems(seed, split, level);
        List<Problem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(gen.next());
        }
        return out;
    }

    public static List<String> templateNames() {
        return TEMPLATES.stream().map(Template::name).toList();
    }

    /** One problem from template {@code index} (of {@link #templateNames()}), ignoring splits; for tests. */
    static Problem fromTemplate(int index, SplittableRandom rng) {
        return TEMPLATES.get(index).make().apply(rng);
    }

    /** Stable across JVMs and runs: FNV-1a over the chars, then a 64-bit finalizer so buckets are well mixed. */
    public static Split splitOf(String question) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < question.length(); i++) {
            h ^= question.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        long bucket = Long.remainderUnsigned(h, 10);
        return bucket == 0 ? Split.TEST : bucket == 1 ? Split.HOLDOUT : Split.TRAIN;
    }

    // ---- solution builder -------------------------------------------------------------------------------------

    /** Accumulates solution lines; each op computes its result and writes "prefix a op b = c suffix". */
    private static final class Steps {
        private final StringBuilder sb = new StringBuilder();

        long add(String prefix, long a, long b, String suffix) {
            return line(prefix, a, '+', b, a + b, suffix);
        }

        long sub(String prefix, long a, long b, String suffix) {
            if (b > a) {
                throw new IllegalStateException("negative step " + a + " - " + b); // template bug guard
            }
            return line(prefix, a, '-', b, a - b, suffix);
        }

        long mul(String prefix, long a, long b, String suffix) {
            return line(prefix, a, '*', b, a * b, suffix);
        }

        long div(String prefix, long a, long b, String suffix) {
            if (b == 0 || a % b != 0) {
                throw new IllegalStateException("inexact step " + a + " / " + b); // template bug guard
            }
            return line(prefix, a, '/', b, a / b, suffix);
        }

        private long line(String prefix, long a, char op, long b, long c, String suffix) {
            sb.append(prefix).append(a).append(' ').append(op).append(' ').append(b).append(" = ").append(c)
                .append(suffix).append('\n');
            return c;
        }

        Problem done(String question, long answer) {
            return new Problem(question, sb + "The answer is " + answer + ".", answer);
        }
    }

    private static int between(SplittableRandom r, int lo, int hi) {
        return r.nextInt(lo, hi + 1);
    }

    private static String pick(SplittableRandom r, String[] xs) {
        return xs[r.nextInt(xs.length)];
    }

    private static String otherName(SplittableRandom r, String not) {
        String n;
        do {
            n = pick(r, NAMES);
        } while (n.equals(not));
        return n;
    }

    // ---- one-step templates -----------------------------------------------------------------------------------
    // The worked answer starts at the equation, without restating "NAME has": copying the name and the first number
    // from the question's start is a lookup the demo's 2-layer model learned in only some runs, and it is not the
    // arithmetic (README, "Why the demo changed").

    private static Problem buyMore(SplittableRandom r) {
        String name = pick(r, NAMES), goods = pick(r, GOODS);
        int a = between(r, 2, 9), b = between(r, 2, 9);
        String q = "%s has %d %s and buys %d more. How many %s does %s have now?".formatted(name, a, goods, b, goods, name);
        Steps s = new Steps();
        return s.done(q, s.add("", a, b, " " + goods + "."));
    }

    private static Problem giveAway(SplittableRandom r) {
        String name = pick(r, NAMES), goods = pick(r, GOODS);
        int a = between(r, 10, 19), b = between(r, 2, 9);
        String q = "%s has %d %s and gives %d of them to %s. How many %s does %s have left?"
            .formatted(name, a, goods, b, otherName(r, name), goods, name);
        Steps s = new Steps();
        return s.done(q, s.sub("", a, b, " " + goods + " left."));
    }

    private static Problem bags(SplittableRandom r) {
        String name = pick(r, NAMES), sweet = pick(r, SWEETS);
        int a = between(r, 2, 9), b = between(r, 2, 9);
        String q = "%s buys %d bags with %d %s in each bag. How many %s does %s buy?".formatted(name, a, b, sweet, sweet, name);
        Steps s = new Steps();
        return s.done(q, s.mul("", a, b, " " + sweet + "."));
    }

    private static Problem share(SplittableRandom r) {
        String name = pick(r, NAMES), sweet = pick(r, SWEETS);
        int friends = between(r, 2, 9), each = between(r, 2, 9);
        String q = "%s shares %d %s equally among %d friends. How many %s does each friend get?"
            .formatted(name, friends * each, sweet, friends, sweet);
        Steps s = new Steps();
        return s.done(q, s.div("Each friend gets ", friends * each, friends, " " + sweet + "."));
    }

    // ---- templates --------------------------------------------------------------------------------------------

    private static Problem shoppingChange(SplittableRandom r) {
        String name = pick(r, NAMES);
        String goods = pick(r, GOODS);
        int n = between(r, 2, 9);
        int price = between(r, 1, 15);
        int cost = n * price;
        int bill = cost < 10 ? 10 : cost < 20 ? 20 : cost < 50 ? 50 : cost < 100 ? 100 : 200;
        String q = "%s buys %d %s that cost $%d each. %s pays with a $%d bill. How much change does %s get?"
            .formatted(name, n, goods, price, name, bill, name);
        Steps s = new Steps();
        long c = s.mul("The " + goods + " cost ", n, price, " dollars.");
        long change = s.sub(name + " gets back ", bill, c, " dollars in change.");
        return s.done(q, change);
    }

    private static Problem shoppingTotal(SplittableRandom r) {
        String name = pick(r, NAMES);
        String g1 = pick(r, GOODS);
        String g2;
        do {
            g2 = pick(r, GOODS);
        } while (g2.equals(g1));
        int a = between(r, 2, 8), p1 = between(r, 1, 12), b = between(r, 2, 8), p2 = between(r, 1, 12);
        String q = "%s buys %d %s at $%d each and %d %s at $%d each. How much does %s spend in total?"
            .formatted(name, a, g1, p1, b, g2, p2, name);
        Steps s = new Steps();
        long c1 = s.mul("The " + g1 + " cost ", a, p1, " dollars.");
        long c2 = s.mul("The " + g2 + " cost ", b, p2, " dollars.");
        long total = s.add("In total " + name + " spends ", c1, c2, " dollars.");
        return s.done(q, total);
    }

    private static Problem sharing(SplittableRandom r) {
        String name = pick(r, NAMES);
        String sweet = pick(r, SWEETS);
        int friends = between(r, 2, 8);
        int bags = between(r, 2, 9);
        int perBag = friends * between(r, 1, 6); // a multiple of the number of friends keeps the split exact
        String q = "%s has %d bags with %d %s in each bag. %s shares them equally among %d friends. How many %s does each friend get?"
            .formatted(name, bags, perBag, sweet, name, friends, sweet);
        Steps s = new Steps();
        long total = s.mul(name + " has ", bags, perBag, " " + sweet + ".");
        long each = s.div("Each friend gets ", total, friends, " " + sweet + ".");
        return s.done(q, each);
    }

    private static Problem speedDistance(SplittableRandom r) {
        String name = pick(r, NAMES);
        int s1 = 10 * between(r, 3, 9), h1 = between(r, 1, 5), s2 = 10 * between(r, 3, 9), h2 = between(r, 1, 5);
        String q = "%s drives at %d kilometers per hour for %d hours, then at %d kilometers per hour for %d hours. How many kilometers does %s drive in total?"
            .formatted(name, s1, h1, s2, h2, name);
        Steps s = new Steps();
        long d1 = s.mul("First " + name + " drives ", s1, h1, " kilometers.");
        long d2 = s.mul("Then " + name + " drives ", s2, h2, " kilometers.");
        long d = s.add("Altogether that is ", d1, d2, " kilometers.");
        return s.done(q, d);
    }

    private static Problem travelTime(SplittableRandom r) {
        int speed = 10 * between(r, 4, 12), hours = between(r, 2, 9);
        String vehicle = pick(r, new String[] {"train", "bus", "ferry", "truck"});
        String q = "A %s travels %d kilometers at a speed of %d kilometers per hour. How many hours does the trip take?"
            .formatted(vehicle, speed * hours, speed);
        Steps s = new Steps();
        long t = s.div("The trip takes ", (long) speed * hours, speed, " hours.");
        return s.done(q, t);
    }

    private static Problem agesTimes(SplittableRandom r) {
        String a = pick(r, NAMES), b = otherName(r, a);
        int age = between(r, 3, 15), k = between(r, 2, 4), later = between(r, 2, 12);
        String q = "%s is %d years old. %s is %d times as old as %s. How old will %s be in %d years?"
            .formatted(a, age, b, k, a, b, later);
        Steps s = new Steps();
        long bAge = s.mul(b + " is ", age, k, " years old now.");
        long ans = s.add("In " + later + " years " + b + " will be ", bAge, later, " years old.");
        return s.done(q, ans);
    }

    private static Problem agesDifference(SplittableRandom r) {
        String a = pick(r, NAMES), b = otherName(r, a);
        int diff = between(r, 2, 30), bAge = between(r, 5, 40), ago = between(r, 1, 5);
        String q = "%s is %d years older than %s. %s is %d years old. How old was %s %d years ago?"
            .formatted(a, diff, b, b, bAge, a, ago);
        Steps s = new Steps();
        long aAge = s.add(a + " is ", bAge, diff, " years old now.");
        long ans = s.sub(ago + " years ago " + a + " was ", aAge, ago, " years old.");
        return s.done(q, ans);
    }

    private static Problem areaSeeds(SplittableRandom r) {
        int cover = between(r, 2, 6);
        int length = cover * between(r, 2, 8), width = between(r, 3, 12);
        String q = "A rectangular garden is %d meters long and %d meters wide. One bag of seeds covers %d square meters. How many bags of seeds are needed for the whole garden?"
            .formatted(length, width, cover);
        Steps s = new Steps();
        long area = s.mul("The area of the garden is ", length, width, " square meters.");
        long bags = s.div("The garden needs ", area, cover, " bags of seeds.");
        return s.done(q, bags);
    }

    private static Problem perimeterFence(SplittableRandom r) {
        int side = between(r, 5, 40), price = between(r, 2, 9);
        String q = "A square field has sides of %d meters. Fencing costs $%d per meter. How much does it cost to fence the whole field?"
            .formatted(side, price);
        Steps s = new Steps();
        long per = s.mul("The perimeter of the field is ", 4, side, " meters.");
        long cost = s.mul("The fence costs ", per, price, " dollars.");
        return s.done(q, cost);
    }

    private static Problem savings(SplittableRandom r) {
        String name = pick(r, NAMES), thing = pick(r, PURCHASES);
        int weekly = between(r, 3, 25), weeks = between(r, 4, 12);
        int spend = between(r, 1, weekly * weeks);
        String q = "%s saves $%d every week for %d weeks. Then %s spends $%d on a %s. How much money does %s have left?"
            .formatted(name, weekly, weeks, name, spend, thing, name);
        Steps s = new Steps();
        long saved = s.mul(name + " saves ", weekly, weeks, " dollars.");
        long left = s.sub("After buying the " + thing + ", " + name + " has ", saved, spend, " dollars left.");
        return s.done(q, left);
    }

    private static Problem recipe(SplittableRandom r) {
        String name = pick(r, NAMES), ing = pick(r, INGREDIENTS), food = pick(r, FOODS);
        int per = between(r, 2, 6), batches = between(r, 2, 5);
        int have = per * batches + between(r, 0, 20);
        String q = "A recipe for one batch of %s needs %d %s. %s has %d %s and makes %d batches. How many %s are left?"
            .formatted(food, per, ing, name, have, ing, batches, ing);
        Steps s = new Steps();
        long used = s.mul(name + " uses ", per, batches, " " + ing + ".");
        long left = s.sub("There are ", have, used, " " + ing + " left.");
        return s.done(q, left);
    }

    private static Problem reading(SplittableRandom r) {
        String name = pick(r, NAMES);
        int perDay = between(r, 5, 30), days = between(r, 2, 12), already = between(r, 10, 150);
        int pages = already + perDay * days;
        String q = "A book has %d pages. %s has already read %d pages and reads %d pages each day. How many more days will it take %s to finish the book?"
            .formatted(pages, name, already, perDay, name);
        Steps s = new Steps();
        long rest = s.sub(name + " still has ", pages, already, " pages to read.");
        long d = s.div("That takes ", rest, perDay, " more days.");
        return s.done(q, d);
    }

    private static Problem chairs(SplittableRandom r) {
        int rows = between(r, 4, 20), perRow = between(r, 5, 15);
        int people = between(r, 1, rows * perRow);
        String q = "A hall has %d rows of %d chairs. %d people come to a meeting and each takes one chair. How many chairs are empty?"
            .formatted(rows, perRow, people);
        Steps s = new Steps();
        long total = s.mul("The hall has ", rows, perRow, " chairs.");
        long empty = s.sub("The number of empty chairs is ", total, people, ".");
        return s.done(q, empty);
    }

    private static Problem harvest(SplittableRandom r) {
        String name = pick(r, NAMES), tree = pick(r, FRUIT_TREES);
        int box = between(r, 4, 12);
        int trees = between(r, 2, 12), perTree = box * between(r, 2, 8);
        String q = "%s has %d %s trees, and each tree gives %d %ss. %s packs the %ss into boxes of %d. How many boxes does %s fill?"
            .formatted(name, trees, tree, perTree, tree, name, tree, box, name);
        Steps s = new Steps();
        long fruit = s.mul("The trees give ", trees, perTree, " " + tree + "s.");
        long boxes = s.div(name + " fills ", fruit, box, " boxes.");
        return s.done(q, boxes);
    }

    private static Problem wages(SplittableRandom r) {
        String name = pick(r, NAMES);
        int wage = between(r, 8, 30), hours = between(r, 2, 9), days = between(r, 2, 7);
        String q = "%s earns $%d per hour and works %d hours a day. How much does %s earn in %d days?"
            .formatted(name, wage, hours, name, days);
        Steps s = new Steps();
        long daily = s.mul("In one day " + name + " earns ", wage, hours, " dollars.");
        long total = s.mul("In " + days + " days " + name + " earns ", daily, days, " dollars.");
        return s.done(q, total);
    }

    private static Problem bus(SplittableRandom r) {
        int start = between(r, 10, 60), off = between(r, 1, start), on = between(r, 1, 30);
        String q = "A bus has %d passengers. At the first stop %d people get off and %d people get on. How many passengers are on the bus now?"
            .formatted(start, off, on);
        Steps s = new Steps();
        long after = s.sub("After the people get off there are ", start, off, " passengers.");
        long now = s.add("After the others get on there are ", after, on, " passengers.");
        return s.done(q, now);
    }

    private static Problem pizza(SplittableRandom r) {
        String name = pick(r, NAMES);
        int people = between(r, 2, 6), slices = 2 * between(r, 3, 6), pizzas = people * between(r, 1, 3);
        String q = "%s orders %d pizzas, and each pizza is cut into %d slices. The slices are shared equally among %d people. How many slices does each person get?"
            .formatted(name, pizzas, slices, people);
        Steps s = new Steps();
        long total = s.mul("There are ", pizzas, slices, " slices.");
        long each = s.div("Each person gets ", total, people, " slices.");
        return s.done(q, each);
    }

    private static Problem tickets(SplittableRandom r) {
        String place = pick(r, PLACES);
        int adult = between(r, 8, 25), child = between(r, 3, adult - 1), na = between(r, 1, 4), nc = between(r, 1, 5);
        String q = "Adult tickets to the %s cost $%d and child tickets cost $%d. A family buys %d adult tickets and %d child tickets. How much do they pay?"
            .formatted(place, adult, child, na, nc);
        Steps s = new Steps();
        long a = s.mul("The adult tickets cost ", na, adult, " dollars.");
        long c = s.mul("The child tickets cost ", nc, child, " dollars.");
        long total = s.add("The family pays ", a, c, " dollars.");
        return s.done(q, total);
    }

    private static Problem laps(SplittableRandom r) {
        String name = pick(r, NAMES);
        int track = 100 * between(r, 2, 8), lapsPerDay = between(r, 2, 10), days = between(r, 2, 7);
        String q = "A running track is %d meters long. %s runs %d laps every day. How many meters does %s run in %d days?"
            .formatted(track, name, lapsPerDay, name, days);
        Steps s = new Steps();
        long daily = s.mul("Each day " + name + " runs ", track, lapsPerDay, " meters.");
        long total = s.mul("In " + days + " days " + name + " runs ", daily, days, " meters.");
        return s.done(q, total);
    }

    private static Problem discount(SplittableRandom r) {
        String[] item = ITEMS[r.nextInt(ITEMS.length)];
        int price = between(r, 10, 80), off = between(r, 1, price / 2), n = between(r, 2, 6);
        String q = "A %s normally costs $%d. During a sale it is $%d cheaper. How much do %d %s cost during the sale?"
            .formatted(item[0], price, off, n, item[1]);
        Steps s = new Steps();
        long sale = s.sub("During the sale one " + item[0] + " costs ", price, off, " dollars.");
        long total = s.mul(n + " " + item[1] + " cost ", n, sale, " dollars.");
        return s.done(q, total);
    }

    private static Problem tank(SplittableRandom r) {
        int rate = between(r, 2, 25), minutes = between(r, 3, 40);
        String q = "A tank holds %d liters of water. A pump fills it at %d liters per minute. How many minutes does it take to fill the empty tank?"
            .formatted(rate * minutes, rate);
        Steps s = new Steps();
        long t = s.div("Filling the tank takes ", (long) rate * minutes, rate, " minutes.");
        return s.done(q, t);
    }

    private static Problem cartons(SplittableRandom r) {
        int carton = new int[] {6, 10, 12}[r.nextInt(3)];
        int n = between(r, 5, 60);
        String q = "A farm collects %d eggs. The eggs are packed in cartons of %d. How many cartons are filled?"
            .formatted(carton * n, carton);
        Steps s = new Steps();
        long c = s.div("The farm fills ", (long) carton * n, carton, " cartons.");
        return s.done(q, c);
    }

    private static Problem marbles(SplittableRandom r) {
        String a = pick(r, NAMES), b = otherName(r, a), what = pick(r, COLLECTIBLES);
        int has = between(r, 5, 60), won = between(r, 1, 30), give = between(r, 1, has + won);
        String q = "%s has %d %s. %s gets %d more %s and then gives %d %s to %s. How many %s does %s have now?"
            .formatted(a, has, what, a, won, what, give, what, b, what, a);
        Steps s = new Steps();
        long mid = s.add("After getting more, " + a + " has ", has, won, " " + what + ".");
        long now = s.sub("After giving some to " + b + ", " + a + " has ", mid, give, " " + what + ".");
        return s.done(q, now);
    }

    private static Problem collection(SplittableRandom r) {
        String a = pick(r, NAMES), b = otherName(r, a), what = pick(r, COLLECTIBLES);
        int has = between(r, 3, 50), k = between(r, 2, 5);
        String q = "%s has %d %s. %s has %d times as many %s as %s. How many %s do they have together?"
            .formatted(a, has, what, b, k, what, a, what);
        Steps s = new Steps();
        long bHas = s.mul(b + " has ", has, k, " " + what + ".");
        long total = s.add("Together they have ", has, bHas, " " + what + ".");
        return s.done(q, total);
    }
}
