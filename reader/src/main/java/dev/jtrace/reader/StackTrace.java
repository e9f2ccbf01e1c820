package dev.jtrace.reader;

import java.util.List;

/** An interned stack, innermost frame first. */
public record StackTrace(int id, List<Frame> frames) {
    /** One frame; {@code fileName} may be null and {@code line} negative when unknown. */
    public record Frame(String className, String methodName, String fileName, int line) {
        @Override
        public String toString() {
            return className + "." + methodName + "(" + (fileName == null ? "?" : fileName)
                    + (line >= 0 ? ":" + line : "") + ")";
        }
    }

    /** The innermost frame, or null for an empty stack. */
    public Frame top() {
        return frames.isEmpty() ? null : frames.get(0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("stack#" + id);
        for (Frame f : frames) {
            sb.append("\n  at ").append(f);
        }
        return sb.toString();
    }
}
