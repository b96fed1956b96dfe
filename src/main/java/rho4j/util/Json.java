package rho4j.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** One shared Jackson mapper and atomic JSON file writes. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.write(file, tmp -> MAPPER.writeValue(tmp.toFile(), value));
    }
}
