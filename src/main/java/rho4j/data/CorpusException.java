package rho4j.data;

/** A corpus input that cannot be read as documents; the message starts with {@code FILE:LINE:}. */
public final class CorpusException extends RuntimeException {
    public CorpusException(String message) {
        super(message);
    }

    public CorpusException(String message, Throwable cause) {
        super(message, cause);
    }
}
