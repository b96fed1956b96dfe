package rho4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a byte stream, decoded as strict UTF-8: a malformed byte sequence is reported ({@link BadLine}), never
 * turned into U+FFFD as an InputStreamReader would. Lines end at \n (a trailing \r is dropped); a line longer than the
 * limit is consumed and reported rather than held in memory.
 */
public final class Utf8Lines implements Closeable {
    /** A line that is not valid UTF-8 or is too long; the stream continues at the next line. */
    public static final class BadLine extends Exception {
        final boolean tooLong;

        BadLine(String message, boolean tooLong) {
            super(message, null, false, false);
            this.tooLong = tooLong;
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private boolean eof;
    private byte[] line = new byte[1 << 10];
    private int len;
    private final long maxLineBytes;

    public Utf8Lines(InputStream in, long maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The first bytes of the stream (up to {@code n}), without consuming them: for sniffing binary files. */
    byte[] peek(int n) throws IOException {
        while (lim - pos < Math.min(n, buf.length) && fill()) { }
        byte[] out = new byte[Math.min(n, lim - pos)];
        System.arraycopy(buf, pos, out, 0, out.length);
        return out;
    }

    private boolean fill() throws IOException {
        if (eof) return false;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) return false;
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
            return false;
        }
        lim += n;
        return true;
    }

    /** The next line, or null at the end of the stream. */
    public String readLine() throws IOException, BadLine {
        len = 0;
        boolean any = false, tooLong = false;
        while (true) {
            if (pos == lim && !fill() && pos == lim) {
                if (!any) return null;
                break;
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? lim : nl;
            if (!tooLong) {
                if ((long) len + (end - pos) > maxLineBytes) tooLong = true;
                else append(buf, pos, end - pos);
            }
            pos = nl < 0 ? lim : nl + 1;
            if (nl >= 0) break;
        }
        if (tooLong) throw new BadLine("a line longer than " + (maxLineBytes >> 20) + " MB (the limit is RHO_MAX_LINE_MB="
                + (maxLineBytes >> 20) + "; raise it, e.g. RHO_MAX_LINE_MB=" + 4 * Math.max(1, maxLineBytes >> 20) + ", or split the record)", true);
        int n = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        int bad = invalidAt(line, 0, n);
        if (bad >= 0) throw new BadLine(String.format("invalid UTF-8 (byte 0x%02X at byte %d of the line)", line[bad] & 0xFF, bad + 1), false);
        return new String(line, 0, n, StandardCharsets.UTF_8);
    }

    /** Raw bytes from here on (buffered ones first), for readers that take the rest of the stream whole. */
    int readRaw(byte[] dst) throws IOException {
        if (pos < lim) {
            int n = Math.min(dst.length, lim - pos);
            System.arraycopy(buf, pos, dst, 0, n);
            pos += n;
            return n;
        }
        if (eof) return -1;
        return in.read(dst, 0, dst.length);
    }

    private void append(byte[] src, int off, int n) {
        if (len + n > line.length) line = java.util.Arrays.copyOf(line, Math.max(len + n, line.length * 2));
        System.arraycopy(src, off, line, len, n);
        len += n;
    }

    /**
     * Offset of the first byte of {@code b[off, off+n)} that starts or continues an invalid UTF-8 sequence (overlong
     * forms, surrogates and code points above U+10FFFF included), or -1 when all of it is valid.
     */
    static int invalidAt(byte[] b, int off, int n) {
        int end = off + n;
        for (int i = off; i < end; ) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need, min;
            if (c >= 0xC2 && c <= 0xDF) { need = 1; min = 0x80; }
            else if (c >= 0xE0 && c <= 0xEF) { need = 2; min = 0x800; }
            else if (c >= 0xF0 && c <= 0xF4) { need = 3; min = 0x10000; }
            else return i - off;
            if (i + need >= end) return i - off;
            int cp = c & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) return i - off;
                cp = cp << 6 | cc & 0x3F;
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i - off;
            i += need + 1;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
