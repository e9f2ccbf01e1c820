package dev.jtrace.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads HotSpot's backtrace of a {@code Throwable}: what {@code fillInStackTrace} stored per frame, before
 * any {@code StackTraceElement} is made. {@code Throwable.backtrace} is a chunk of {@value #SLOTS} slots
 * (HotSpot's {@code java_lang_Throwable} trace constants, the same in JDK 21 and 25): a {@code short[]} of
 * method id numbers, an {@code int[]} of (bytecode index &lt;&lt; 16 | class version), an {@code Object[]} of
 * class mirrors, a {@code long[]} of name symbols, the continuations, the next chunk, and a hidden-frame
 * flag; {@value #CHUNK} frames per chunk; {@code Throwable.depth} frames in all. Both fields are private:
 * they are read only where {@code java.lang} is open to the recorder (the agent opens it; an application
 * gives {@code --add-opens java.base/java.lang=<the recorder's module or ALL-UNNAMED>}), and only after a
 * self-check at class initialization found the layout as described (see {@link #check}). Otherwise
 * {@link #WHY_NOT} says why, and stacks are walked with StackWalker.
 */
final class Backtraces {
    static final int SLOTS = 7;
    static final int CHUNK = 32;
    static final int METHODS = 0;
    static final int BCIS = 1;
    static final int MIRRORS = 2;
    static final int NEXT = 5;

    private static final VarHandle BACKTRACE;
    private static final VarHandle DEPTH;
    /** Null when backtraces are read; else why not, for the one line said when a stack is first asked for. */
    static final String WHY_NOT;

    static {
        VarHandle bt = null;
        VarHandle depth = null;
        String why;
        try {
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(Throwable.class, MethodHandles.lookup());
            bt = l.findVarHandle(Throwable.class, "backtrace", Object.class);
            depth = l.findVarHandle(Throwable.class, "depth", int.class);
            why = check(bt, depth);
        } catch (IllegalAccessException e) {
            why = "java.lang is not open to " + Backtraces.class.getModule();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            why = "this JVM's Throwable has no backtrace to read (" + e + ")";
        }
        BACKTRACE = why == null ? bt : null;
        DEPTH = why == null ? depth : null;
        WHY_NOT = why;
    }

    private Backtraces() {}

    /** Whether {@link #of} may be called. */
    static boolean usable() {
        return WHY_NOT == null;
    }

    /** The first chunk of {@code t}'s backtrace (null if it has none). */
    static Object[] of(Throwable t) {
        return (Object[]) BACKTRACE.get(t);
    }

    /** How many frames {@code t}'s backtrace holds. */
    static int depth(Throwable t) {
        return (int) DEPTH.get(t);
    }

    /**
     * Captures a known stack (deeper than two chunks, by recursion at one call site) both ways and compares
     * them: the backtrace's shape, its frame count against {@code getStackTrace}'s, each frame's class
     * against the element's class name, and the key of each frame ((class, method id number, bytecode index
     * and version), what the frame cache keys on) against the elements: equal keys give equal elements
     * over the whole stack; the recursion's frames share one key, and its innermost frame (one method,
     * another index) differs from it in the index only. Null if all hold, else what failed.
     */
    static String check(VarHandle bt, VarHandle depth) {
        Throwable[] got = new Throwable[1];
        int calls = 2 * CHUNK + 5;
        recurse(calls, got);
        Throwable t = got[0];
        Object first = bt.get(t);
        int n = (int) depth.get(t);
        StackTraceElement[] st = t.getStackTrace();
        if (!(first instanceof Object[] chunk)) {
            return "the backtrace is not an Object[] (" + first + ")";
        }
        if (n != st.length || n < calls + 1) {
            return "the backtrace holds " + n + " frames, getStackTrace " + st.length;
        }
        Map<List<Object>, StackTraceElement> byKey = new HashMap<>();
        List<List<Object>> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int j = i % CHUNK;
            if (i > 0 && j == 0) {
                if (!(chunk[NEXT] instanceof Object[] next)) {
                    return "no next chunk after frame " + i;
                }
                chunk = next;
            }
            if (chunk.length != SLOTS || !(chunk[METHODS] instanceof short[] m) || !(chunk[BCIS] instanceof int[] b)
                    || !(chunk[MIRRORS] instanceof Object[] mirrors) || m.length != CHUNK || b.length != CHUNK
                    || mirrors.length != CHUNK || !(mirrors[j] instanceof Class<?> c)) {
                return "a chunk's layout is not HotSpot's of JDK 21 to 25";
            }
            if (!c.getName().equals(st[i].getClassName())) {
                return "frame " + i + " is " + c.getName() + ", getStackTrace's " + st[i].getClassName();
            }
            List<Object> key = List.of(c, m[j] & 0xFFFF, b[j]);
            StackTraceElement e = byKey.putIfAbsent(key, st[i]);
            if (e != null && !e.equals(st[i])) {
                return "frames " + e + " and " + st[i] + " have one key";
            }
            keys.add(key);
        }
        // frame 0 is the innermost recurse (at new Throwable), 1 to calls the recursive call
        for (int i = 0; i <= calls; i++) {
            if (keys.get(i).get(0) != Backtraces.class || !st[i].getMethodName().equals("recurse")) {
                return "frame " + i + " is not the recursion's: " + st[i];
            }
            if (i > 1 && !keys.get(i).equals(keys.get(1))) {
                return "one call site has two keys";
            }
        }
        List<Object> inner = keys.get(0);
        List<Object> call = keys.get(1);
        if (!inner.get(1).equals(call.get(1)) || inner.get(2).equals(call.get(2))
                || (((Integer) inner.get(2)) & 0xFFFF) != (((Integer) call.get(2)) & 0xFFFF)) {
            return "the method and index of two frames of one method are not where expected";
        }
        return null;
    }

    private static void recurse(int n, Throwable[] out) {
        if (n > 0) {
            recurse(n - 1, out);
        } else {
            out[0] = new Throwable();
        }
    }
}
