package rho4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import rho4j.engine.Tensors;
import rho4j.util.AtomicFiles;

/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian data), so checkpoints
 * open in Hugging Face tools. Writes stream tensor by tensor; tensors keep their dtype (F32, F64, BF16, F16, I64).
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Reading: duplicate tensor names are an error, not "the last one wins". */
    private static final ObjectMapper HEADER_JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** The reference implementation's limit: 100 MB of header. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    private Safetensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        Map<String, Tensor> cpu = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue().detach().cpu().contiguous();
            cpu.put(e.getKey(), t);
            long bytes = t.numel() * t.element_size();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", code(t.scalar_type().intern(), e.getKey())); // enums from JNI are not the canonical constants: intern() first
            var shape = n.putArray("shape");
            for (long s : Tensors.shape(t)) shape.add(s);
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad = (8 - h.length % 8) % 8; // keeps tensor data 8-byte aligned, as the reference writer does
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) hp[i] = ' ';
        AtomicFiles.write(file, out -> {
            try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(hp));
                for (Tensor t : cpu.values()) {
                    long bytes = t.numel() * t.element_size();
                    BytePointer p = new BytePointer(t.data_ptr()).capacity(bytes);
                    for (long done = 0; done < bytes; ) { // ByteBuffers are int-indexed: write in slices
                        long n = Math.min(bytes - done, 1L << 30);
                        writeFully(ch, p.position(done).limit(done + n).asByteBuffer());
                        done += n;
                    }
                }
                ch.force(true);
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads every tensor (CPU, original dtype) in header order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, null);
    }

    /** Reads the tensors and, if {@code metadataOut} is given, fills it with the __metadata__ strings. */
    public static Map<String, Tensor> read(Path file, Map<String, String> metadataOut) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Reader r = open(file)) {
            if (metadataOut != null) metadataOut.putAll(r.metadata());
            for (String name : r.names()) out.put(name, r.read(name));
        }
        return out;
    }

    /** Opens a file for reading tensor by tensor: only the header is read now. */
    public static Reader open(Path file) throws IOException { return new Reader(file); }

    /**
     * One safetensors file, read one tensor at a time, so loading a model never holds a second copy of its weights:
     * {@link #readInto} reads straight into the destination's memory when its dtype and layout match the file's.
     */
    public static final class Reader implements AutoCloseable {
        private record Entry(ScalarType dtype, long[] shape, long start, long end) {}

        private final Path file;
        private final FileChannel ch;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final long base;

        private Reader(Path file) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                long size = ch.size();
                if (size < 8) throw new IOException(file + ": too short to be a safetensors file");
                ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, lb, 0, file);
                long hl = lb.flip().getLong();
                if (hl <= 0 || hl > MAX_HEADER_BYTES || 8 + hl > size) throw new IOException(file + ": bad safetensors header length " + hl
                        + " (file of " + size + " bytes); the file is truncated or not safetensors");
                ByteBuffer hb = ByteBuffer.allocate((int) hl);
                readFully(ch, hb, 8, file);
                base = 8 + hl;
                parseHeader(hb.array(), size - base);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        /**
         * Validates the whole header before any data is read: names map to {dtype, shape, data_offsets}, shapes are
         * non-negative and their byte sizes do not overflow, offsets lie inside the data and no two tensors overlap.
         */
        private void parseHeader(byte[] bytes, long dataBytes) throws IOException {
            JsonNode header;
            try {
                header = HEADER_JSON.readTree(bytes);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(file + ": safetensors header is not valid JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
            }
            if (header == null || !header.isObject()) throw new IOException(file + ": safetensors header is not a JSON object");
            java.util.List<Entry> byStart = new java.util.ArrayList<>();
            java.util.Map<Entry, String> names = new java.util.IdentityHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode n = e.getValue();
                if (name.equals("__metadata__")) {
                    if (!n.isObject()) throw new IOException(file + ": __metadata__ must be an object of strings");
                    for (var m : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
                        if (!m.getValue().isTextual()) throw new IOException(file + ": __metadata__ value '" + m.getKey() + "' is not a string");
                        metadata.put(m.getKey(), m.getValue().asText());
                    }
                    continue;
                }
                String bad = file + ": tensor '" + name + "' ";
                if (!n.isObject()) throw new IOException(bad + "is not an object with dtype, shape and data_offsets");
                JsonNode dtype = n.get("dtype"), shapeNode = n.get("shape"), offsets = n.get("data_offsets");
                if (dtype == null || !dtype.isTextual()) throw new IOException(bad + "has no dtype");
                ScalarType dt = type(dtype.asText(), file, name);
                if (shapeNode == null || !shapeNode.isArray()) throw new IOException(bad + "has no shape list");
                long[] shape = new long[shapeNode.size()];
                long numel = 1;
                for (int i = 0; i < shape.length; i++) {
                    JsonNode d = shapeNode.get(i);
                    if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) throw new IOException(bad + "has shape entry " + d + ", not a size >= 0");
                    shape[i] = d.asLong();
                    try {
                        numel = Math.multiplyExact(numel, shape[i]);
                    } catch (ArithmeticException overflow) {
                        throw new IOException(bad + "has shape " + shapeNode + ", too large to address");
                    }
                }
                if (offsets == null || !offsets.isArray() || offsets.size() != 2) throw new IOException(bad + "needs data_offsets [start, end]");
                for (JsonNode o : offsets)
                    if (!o.isIntegralNumber() || !o.canConvertToLong() || o.asLong() < 0) throw new IOException(bad + "has data_offsets " + offsets + ", not two offsets >= 0");
                long start = offsets.get(0).asLong(), end = offsets.get(1).asLong();
                if (end < start) throw new IOException(bad + "has data_offsets " + offsets + " that end before they start");
                if (end > dataBytes) throw new IOException(bad + "runs past the end of the file (truncated?)");
                long bytesNeeded;
                try {
                    bytesNeeded = Math.multiplyExact(numel, (long) elementSize(dt));
                } catch (ArithmeticException overflow) {
                    throw new IOException(bad + "has shape " + shapeNode + ", too large to address");
                }
                if (bytesNeeded != end - start)
                    throw new IOException(bad + "has " + (end - start) + " bytes of data but dtype " + dtype.asText() + " and shape " + shapeNode + " need " + bytesNeeded);
                Entry en = new Entry(dt, shape, start, end);
                entries.put(name, en);
                byStart.add(en);
                names.put(en, name);
            }
            byStart.sort(java.util.Comparator.comparingLong(Entry::start).thenComparingLong(Entry::end));
            for (int i = 1; i < byStart.size(); i++) {
                Entry a = byStart.get(i - 1), b = byStart.get(i);
                if (b.start() < a.end())
                    throw new IOException(file + ": tensors '" + names.get(a) + "' and '" + names.get(b) + "' overlap in the data; the file is corrupt");
            }
        }

        /** Tensor names in file order. */
        public java.util.Set<String> names() { return java.util.Collections.unmodifiableSet(entries.keySet()); }

        public Map<String, String> metadata() { return java.util.Collections.unmodifiableMap(metadata); }

        /** The stored shape of a tensor, or null when the file has no tensor of that name. */
        public long[] shape(String name) {
            Entry e = entries.get(name);
            return e == null ? null : e.shape().clone();
        }

        /** A new CPU tensor holding the stored one, in its stored dtype. */
        public Tensor read(String name) throws IOException {
            Entry e = entry(name);
            Tensor t = torch.empty(e.shape(), new TensorOptions(e.dtype()), new org.bytedeco.pytorch.MemoryFormatOptional()); // host: the file's bytes land on the CPU; copy_ moves them to the model's device
            readBytes(e, t);
            checkFinite(name, e, t);
            return t;
        }

        /**
         * Copies the stored tensor into dst, which must have its shape: straight into dst's memory when dst is a
         * contiguous CPU tensor of the stored dtype, else through one temporary (converted by copy_).
         */
        public void readInto(String name, Tensor dst) throws IOException {
            Entry e = entry(name);
            if (!java.util.Arrays.equals(e.shape(), Tensors.shape(dst)))
                throw new IOException(file + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(e.shape()) + " but "
                        + java.util.Arrays.toString(Tensors.shape(dst)) + " is expected (a checkpoint of another model size?)");
            if (dst.is_cpu() && dst.is_contiguous() && dst.scalar_type().intern() == e.dtype()) {
                readBytes(e, dst);
                checkFinite(name, e, dst);
                return;
            }
            try (org.bytedeco.javacpp.PointerScope tmp = new org.bytedeco.javacpp.PointerScope()) {
                try (org.bytedeco.pytorch.NoGradGuard ng = new org.bytedeco.pytorch.NoGradGuard()) {
                    dst.copy_(read(name));
                }
            }
        }

        private Entry entry(String name) throws IOException {
            Entry e = entries.get(name);
            if (e == null) throw new IOException(file + " has no tensor '" + name + "' (a checkpoint of another architecture?)");
            return e;
        }

        /** Weights and optimizer moments are finite: NaN or inf in a file means corruption, refused with the file named. */
        private void checkFinite(String name, Entry e, Tensor t) throws IOException {
            ScalarType d = e.dtype();
            if (d != ScalarType.Float && d != ScalarType.Double && d != ScalarType.Half && d != ScalarType.BFloat16) return;
            boolean ok;
            try (org.bytedeco.javacpp.PointerScope tmp = new org.bytedeco.javacpp.PointerScope()) {
                ok = t.isfinite().all().item_bool();
            }
            if (!ok) throw new IOException(file + ": tensor '" + name + "' holds NaN or infinite values; the file is corrupt (use an earlier checkpoint or retrain)");
        }

        private void readBytes(Entry e, Tensor t) throws IOException {
            long bytes = e.end() - e.start();
            BytePointer p = new BytePointer(t.data_ptr()).capacity(bytes);
            for (long done = 0; done < bytes; ) { // ByteBuffers are int-indexed: read in slices
                long len = Math.min(bytes - done, 1L << 30);
                readFully(ch, p.position(done).limit(done + len).asByteBuffer(), base + e.start() + done, file);
                done += len;
            }
        }

        @Override
        public void close() throws IOException { ch.close(); }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) throw new IOException(file + ": unexpected end of file");
            pos += n;
        }
    }

    private static String code(ScalarType t, String name) {
        return switch (t) {
            case Float -> "F32";
            case Double -> "F64";
            case BFloat16 -> "BF16";
            case Half -> "F16";
            case Long -> "I64";
            case Int -> "I32";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has dtype " + t + ", which safetensors writing here does not support");
        };
    }

    private static int elementSize(ScalarType t) {
        return switch (t) {
            case Double, Long -> 8;
            case Float, Int -> 4;
            default -> 2; // Half, BFloat16
        };
    }

    private static ScalarType type(String code, Path file, String name) throws IOException {
        return switch (code) {
            case "F32" -> ScalarType.Float;
            case "F64" -> ScalarType.Double;
            case "BF16" -> ScalarType.BFloat16;
            case "F16" -> ScalarType.Half;
            case "I64" -> ScalarType.Long;
            case "I32" -> ScalarType.Int;
            default -> throw new IOException(file + ": tensor '" + name + "' has unsupported dtype " + code);
        };
    }
}
