package rho4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile safetensors files are refused before any data is read, with one line naming the file and the tensor. */
class SafetensorsHostileTest {
    static final int FILES = 2000;
    @TempDir Path dir;

    /** A file with {@code header} (JSON text) and {@code dataBytes} bytes of data (0.5f floats). */
    Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        while (b.remaining() >= 4) b.putFloat(0.5f);
        Path f = dir.resolve("h.safetensors");
        Files.write(f, b.array());
        return f;
    }

    String refused(String header, int dataBytes) throws IOException {
        Path f = file(header, dataBytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(f).close(), header);
        assertTrue(e.getMessage().startsWith(f.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badOffsetsShapesAndDtypesAreRefused() throws IOException {
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", 16).contains("not two offsets >= 0"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 16).contains("needs data_offsets"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 16).contains("end before they start"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 16)
                .contains("'a' and 'b' overlap"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,16]}}", 16).contains("too large"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2305843009213693952],\"data_offsets\":[0,16]}}", 16).contains("too large"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16).contains("not a size >= 0"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16).contains("need 32"));
        assertTrue(refused("{\"a\":{\"dtype\":\"Q9\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16).contains("unsupported dtype Q9"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", 16).contains("past the end"));
        assertTrue(refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16)
                .contains("not valid JSON"));
        assertTrue(refused("[1,2]", 16).contains("not a JSON object"));
        assertTrue(refused("{\"__metadata__\":{\"x\":[1]}}", 16).contains("not a string"));
        // And a well-formed one loads.
        try (Safetensors.Reader r = Safetensors.open(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16))) {
            assertEquals(4, r.read("a").numel());
        }
    }

    @Test
    void nonFiniteTensorsAreRefused() throws IOException {
        Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(b.length - 8, Float.NaN);
        Files.write(f, b);
        try (Safetensors.Reader r = Safetensors.open(f)) {
            IOException e = assertThrows(IOException.class, () -> r.read("w"));
            assertTrue(e.getMessage().contains(f + ": tensor 'w' holds NaN or infinite values"), e.getMessage());
        }
    }

    /**
     * 2000 mutated headers (digits, signs, brackets, quotes and keys changed, inserted, deleted; lengths cut): each
     * opens and reads, or fails with one IOException line naming the file. Nothing else, and within the time bound.
     */
    @Test
    void fuzzedHeadersLoadOrFailWithOneLine() throws IOException {
        String seed = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[24,32]},\"c\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[32,34]}}";
        String[] pieces = {"-", "9", "0", "99999999999999999999", "[", "]", "{", "}", "\"", ",", ":", "null", "1e308", "-1", "\"F64\"",
                "\"data_offsets\"", "\"shape\"", "\"dtype\"", "2.5", "true", "\\u0000", " "};
        Random rnd = new Random(16);
        int[] outcome = new int[2];
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < FILES; i++) {
                StringBuilder h = new StringBuilder(seed);
                for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                    int at = rnd.nextInt(h.length() + 1);
                    switch (rnd.nextInt(3)) {
                        case 0 -> h.insert(at, pieces[rnd.nextInt(pieces.length)]);
                        case 1 -> { if (at < h.length()) h.deleteCharAt(at); }
                        default -> { if (at < h.length()) h.setCharAt(at, pieces[rnd.nextInt(pieces.length)].charAt(0)); }
                    }
                }
                Path f = file(h.toString(), 40);
                if (rnd.nextInt(10) == 0) { // a lying header length or a cut file
                    byte[] b = Files.readAllBytes(f);
                    if (rnd.nextBoolean()) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, rnd.nextLong());
                    Files.write(f, java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1)));
                }
                try (Safetensors.Reader r = Safetensors.open(f)) {
                    for (String n : r.names()) {
                        Tensor t = r.read(n);
                        t.close();
                    }
                    outcome[0]++;
                } catch (IOException e) {
                    if (!e.getMessage().startsWith(f.toString()) || e.getMessage().contains("\n")) fail("not one line naming the file: " + e.getMessage());
                    outcome[1]++;
                } catch (RuntimeException e) {
                    fail("header " + h + " threw " + e);
                }
            }
        });
        System.err.printf("safetensors fuzz: " + FILES + " files, %d loaded, %d refused, %.1f s%n", outcome[0], outcome[1], (System.nanoTime() - t0) / 1e9);
        assertTrue(outcome[0] > 0 && outcome[1] > 0, "the mutations reach both outcomes");
    }
}
