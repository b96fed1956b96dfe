package rho4j.data;

import java.nio.charset.StandardCharsets;
import rho4j.tokenize.TextEncoder;

/** Test tokenizer: one id per UTF-8 byte (plus {@code offset}), eot and pad right after the 256 byte ids. */
class FakeEncoder implements TextEncoder {
    private final int offset;
    private final int vocabSize;

    FakeEncoder() {
        this(0, 258);
    }

    /** {@code offset} shifts byte ids up, e.g. to produce ids above 65535 for uint32 stores. */
    FakeEncoder(int offset, int vocabSize) {
        this.offset = offset;
        this.vocabSize = vocabSize;
    }

    @Override
    public int[] encode(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = offset + (b[i] & 0xFF);
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        byte[] b = new byte[ids.length];
        int n = 0;
        for (int id : ids) if (id >= offset && id < offset + 256) b[n++] = (byte) (id - offset);
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eotId() {
        return offset + 256;
    }

    @Override
    public int padId() {
        return offset + 257;
    }

    @Override
    public String hash() {
        return "fake-byte-encoder-" + offset;
    }
}
