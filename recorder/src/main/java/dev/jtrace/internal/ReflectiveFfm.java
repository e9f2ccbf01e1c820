package dev.jtrace.internal;

import java.lang.reflect.Method;

/**
 * The foreign-function API's classes and the native linker, looked up by reflection: the recorder is
 * compiled for Java 21, where the API is a preview, and uses it only on JDK 22 and later (where it is
 * final), after {@link Clock#ffmUnavailableBecause()} said it may. Shared by the TSC clock and membarrier.
 */
final class ReflectiveFfm {
    final Class<?> linkerC;
    final Class<?> segmentC;
    final Class<?> descC;
    final Class<?> layoutC;
    final Class<?> valueLayoutC;
    final Class<?> optionC;
    final Class<?> lookupC;
    /** {@code Linker.nativeLinker()}. */
    final Object linker;
    /** Its default lookup (libc). */
    final Object std;

    ReflectiveFfm() throws ReflectiveOperationException {
        ClassLoader cl = ClassLoader.getPlatformClassLoader();
        linkerC = Class.forName("java.lang.foreign.Linker", true, cl);
        segmentC = Class.forName("java.lang.foreign.MemorySegment", true, cl);
        descC = Class.forName("java.lang.foreign.FunctionDescriptor", true, cl);
        layoutC = Class.forName("java.lang.foreign.MemoryLayout", true, cl);
        valueLayoutC = Class.forName("java.lang.foreign.ValueLayout", true, cl);
        optionC = Class.forName("java.lang.foreign.Linker$Option", true, cl);
        lookupC = Class.forName("java.lang.foreign.SymbolLookup", true, cl);
        linker = linkerC.getMethod("nativeLinker").invoke(null);
        std = linkerC.getMethod("defaultLookup").invoke(linker);
    }

    /** The address of libc's {@code symbol}, a MemorySegment; throws when libc has none. */
    Object libc(String symbol) throws ReflectiveOperationException {
        Method find = lookupC.getMethod("find", String.class);
        return ((java.util.Optional<?>) find.invoke(std, symbol)).orElseThrow();
    }
}
