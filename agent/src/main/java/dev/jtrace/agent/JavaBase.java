package dev.jtrace.agent;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Defines the agent's bridge classes (the ones instrumented code calls) inside java.base, in the exported
 * package of {@link LockSupport}: every class links to them there, the JDK's own (same module) and any
 * application's, whatever its loader or module (every module reads java.base). They are defined through a
 * private lookup on LockSupport, after the agent opened that one package to itself, rather than appended to
 * the bootstrap search path: an append switches off class-data sharing for the application's classes, and
 * the JVM says so on the application's stderr.
 */
public final class JavaBase {
    /** The package the bridges are defined in. */
    public static final String PACKAGE = "java.util.concurrent.locks";

    private JavaBase() {}

    /**
     * The class {@code binaryName} (in {@link #PACKAGE}): the one an earlier load of the agent in this JVM
     * defined, or a new one from {@code bytes}.
     */
    public static synchronized Class<?> define(Instrumentation inst, String binaryName, Supplier<byte[]> bytes)
            throws ReflectiveOperationException {
        try {
            return Class.forName(binaryName, true, null);
        } catch (ClassNotFoundException notYet) {
            // defined below
        }
        Module base = Object.class.getModule();
        Module me = JavaBase.class.getModule();
        if (!base.isOpen(PACKAGE, me)) {
            inst.redefineModule(base, Set.of(), Map.of(), Map.of(PACKAGE, Set.of(me)), Set.of(), Map.of());
        }
        return MethodHandles.privateLookupIn(LockSupport.class, MethodHandles.lookup()).defineClass(bytes.get());
    }
}
