package rho4j.report;

/** HTML/SVG escaping, kept in one place so no caller forgets a case. */
final class Html {
    private Html() {}

    /** Escapes text for element content and for double-quoted attribute values alike. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\n' -> b.append("&#10;"); // keeps line breaks inside title tooltips
                default -> {
                    if (c < 0x20 && c != '\t') {
                        b.append(' '); // other control characters are not allowed in HTML text
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
