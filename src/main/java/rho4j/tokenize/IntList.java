package rho4j.tokenize;

import java.util.Arrays;

/** Growable int array: collects ids without boxing. */
public final class IntList {
    private int[] data;
    private int size;

    public IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    public void add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, size * 2);
        data[size++] = v;
    }

    public void addAll(int[] vs) {
        if (size + vs.length > data.length) data = Arrays.copyOf(data, Math.max(size * 2, size + vs.length));
        System.arraycopy(vs, 0, data, size, vs.length);
        size += vs.length;
    }

    public int get(int i) {
        return data[i];
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
