package rho4j.util;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One shared Jackson mapper, atomic JSON file writes, and reads whose errors name the file and the fix. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.write(file, tmp -> MAPPER.writeValue(tmp.toFile(), value));
    }

    /** Reads {@code file} as {@code type}; broken JSON is one line {@code FILE: not valid JSON (...); FIX}. */
    public static <T> T read(Path file, Class<T> type, String fix) throws IOException {
        try {
            return MAPPER.readValue(bytes(file), type);
        } catch (JsonProcessingException e) {
            throw broken(file, e, fix);
        }
    }

    /** Reads {@code file} as a tree, with the same one-line errors as {@link #read}. */
    public static JsonNode tree(Path file, String fix) throws IOException {
        try {
            JsonNode n = MAPPER.readTree(bytes(file));
            if (n == null || n.isMissingNode()) throw new IOException(file + ": empty, expected JSON; " + fix);
            return n;
        } catch (JsonProcessingException e) {
            throw broken(file, e, fix);
        }
    }

    private static byte[] bytes(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "not found");
        }
    }

    /** Jackson's message without its multi-line source excerpt, plus where in the file. */
    public static IOException broken(Path file, JsonProcessingException e, String fix) {
        JsonLocation at = e.getLocation();
        String msg = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage().lines().findFirst().orElse("");
        msg = msg.replaceAll("\\s*\\(start marker at \\[Source: .*?\\]\\)", "").replaceAll("\\[Source: .*?\\]; ?", ""); // Jackson's redacted-source noise
        String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new IOException(file + ": not valid JSON for this file (" + msg + where + "); " + fix, e);
    }
}
