package dev.jtrace.internal;

import java.nio.charset.StandardCharsets;

/**
 * The recorder's rules for turning Java strings into the format's strings (docs/format.md, "string"):
 * a cut never separates the two halves of a surrogate pair, and a lone surrogate, which UTF-8 cannot
 * encode, is written as U+FFFD REPLACEMENT CHARACTER (the JDK's encoder would write {@code ?}, which reads
 * back as a real question mark).
 */
final class Strings {
    /** What a lone surrogate becomes. */
    static final char REPLACEMENT = '\uFFFD';

    private Strings() {}

    /**
     * {@code s} cut to at most {@code max} UTF-16 units: the first {@code max}, or {@code max - 1} when the
     * last of them is the high half of a surrogate pair whose low half would be cut off.
     */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = max;
        if (Character.isHighSurrogate(s.charAt(end - 1)) && Character.isLowSurrogate(s.charAt(end))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** The UTF-8 bytes of {@code s}, each lone surrogate encoded as U+FFFD. */
    static byte[] utf8(String s) {
        return wellFormed(s).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code s} with each lone surrogate replaced by U+FFFD; {@code s} itself when it has none. */
    static String wellFormed(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i += 2;
                    continue;
                }
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder b = new StringBuilder(n).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(i + 1));
                i += 2;
            } else {
                b.append(Character.isSurrogate(c) ? REPLACEMENT : c);
                i++;
            }
        }
        return b.toString();
    }
}
