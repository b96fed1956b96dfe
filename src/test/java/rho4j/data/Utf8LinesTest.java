package rho4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8LinesTest {
    @Test
    void validatorAgreesWithTheJdkDecoderOnRandomBytes() {
        // The JDK's strict decoder is the independent reference: same verdict on every sequence.
        var dec = StandardCharsets.UTF_8.newDecoder();
        Random rnd = new Random(3);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[rnd.nextInt(6)];
            for (int k = 0; k < b.length; k++) b[k] = (byte) (rnd.nextBoolean() ? 0x80 + rnd.nextInt(0x80) : rnd.nextInt(256));
            boolean jdk;
            try {
                dec.reset().decode(java.nio.ByteBuffer.wrap(b));
                jdk = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                jdk = false;
            }
            assertEquals(jdk, Utf8Lines.invalidAt(b, 0, b.length) < 0, java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void linesKeepTheirNumbersPastABadOneAndLongLinesNameTheLimit() throws Exception {
        byte[] text = "one\r\ntw\u00f6\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[text.length + 4 + 5];
        System.arraycopy(text, 0, all, 0, text.length);
        System.arraycopy(new byte[] {'x', (byte) 0xFF, 'y', '\n'}, 0, all, text.length, 4);
        System.arraycopy("last\n".getBytes(), 0, all, text.length + 4, 5);
        Utf8Lines in = new Utf8Lines(new ByteArrayInputStream(all), 1 << 20);
        assertEquals("one", in.readLine());
        assertEquals("tw\u00f6", in.readLine());
        Utf8Lines.BadLine bad = assertThrows(Utf8Lines.BadLine.class, in::readLine);
        assertTrue(bad.getMessage().contains("invalid UTF-8 (byte 0xFF at byte 2"), bad.getMessage());
        assertEquals("last", in.readLine());
        assertNull(in.readLine());
        byte[] big = new byte[(3 << 20) + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        big[big.length - 5] = '\n';
        Utf8Lines l = new Utf8Lines(new ByteArrayInputStream(big), 2 << 20);
        Utf8Lines.BadLine tooLong = assertThrows(Utf8Lines.BadLine.class, l::readLine);
        assertTrue(tooLong.tooLong && tooLong.getMessage().contains("longer than 2 MB") && tooLong.getMessage().contains("RHO_MAX_LINE_MB="), tooLong.getMessage());
        assertEquals("aaaa", l.readLine(), "reading goes on after the long line");
    }
}
