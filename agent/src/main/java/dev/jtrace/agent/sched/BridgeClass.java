package dev.jtrace.agent.sched;

import java.lang.reflect.Field;
import java.util.List;
import java.util.function.ObjLongConsumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The class that instrumented code calls, defined inside java.base ({@link dev.jtrace.agent.JavaBase}), where
 * every class can link to it: the JDK's own (same module) and the application's (an exported package),
 * whatever their loader.
 *
 * <p>Generated here because its only types may be JDK types. For each hook {@code H} of {@link #HOOKS}:
 *
 * <pre>{@code
 * public static volatile ObjLongConsumer<Object> H;            // the agent's hook, or null
 * public static void H(Object o, long v) {                    // what instrumented code calls
 *     ObjLongConsumer<Object> h = H;
 *     if (h != null) { try { h.accept(o, v); } catch (Throwable ignored) { } }
 * }
 * }</pre>
 *
 * and {@code notify(Object)} / {@code notifyAll(Object)}, which call the monitor's own and then hook
 * {@code notified} with 0 or 1. A hook's error never leaves the bridge: it would leave from inside
 * LockSupport.park or Object.wait and break the JDK's locks. While nothing records every call costs a
 * static volatile read and a branch. One field per hook keeps each call site in the bridge monomorphic.
 */
final class BridgeClass {
    static final String NAME = "java.util.concurrent.locks.JTraceSchedulerBridge";
    static final String INTERNAL_NAME = NAME.replace('.', '/');
    /** Every hook's call descriptor. */
    static final String DESCRIPTOR = "(Ljava/lang/Object;J)V";
    /** The hooks, each a field and a method of the bridge. */
    static final List<String> HOOKS = List.of("parkBegin", "parkNanosBegin", "parkNanosEnd", "parkUntilBegin",
            "waitBegin", "sleepBegin", "blockEnd", "unpark", "notified", "yielded", "mount", "unmount", "submit");
    private static final String CONSUMER = "Ljava/util/function/ObjLongConsumer;";

    private static Class<?> bridge;

    private BridgeClass() {}

    /** Defines the bridge in java.base (once per JVM; a later agent load finds it). */
    static synchronized Class<?> install(java.lang.instrument.Instrumentation inst) throws ReflectiveOperationException {
        if (bridge != null) {
            return bridge;
        }
        Class<?> c = dev.jtrace.agent.JavaBase.define(inst, NAME, BridgeClass::generate);
        bridge = c;
        return c;
    }

    /** Sets (or, with null, clears) one hook. */
    static void set(String hook, ObjLongConsumer<Object> h) {
        try {
            Field f = bridge.getField(hook);
            f.set(null, h);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jtrace agent: cannot set the scheduler hook " + hook, e);
        }
    }

    static byte[] generate() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object"; // only Throwable meets Object here; loads nothing
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, INTERNAL_NAME, null,
                "java/lang/Object", null);
        for (String h : HOOKS) {
            FieldVisitor fv = cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, h, CONSUMER,
                    "Ljava/util/function/ObjLongConsumer<Ljava/lang/Object;>;", null);
            fv.visitEnd();
            hookMethod(cw, h);
        }
        notifyMethod(cw, "notify", 0);
        notifyMethod(cw, "notifyAll", 1);
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static void hookMethod(ClassWriter cw, String h) {
        MethodVisitor m = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, h, DESCRIPTOR, null, null);
        m.visitCode();
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        Label off = new Label();
        m.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        m.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, h, CONSUMER);
        m.visitVarInsn(Opcodes.ASTORE, 3);
        m.visitVarInsn(Opcodes.ALOAD, 3);
        m.visitJumpInsn(Opcodes.IFNULL, off);
        m.visitLabel(start);
        m.visitVarInsn(Opcodes.ALOAD, 3);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitVarInsn(Opcodes.LLOAD, 1);
        m.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/ObjLongConsumer", "accept",
                "(Ljava/lang/Object;J)V", true);
        m.visitLabel(end);
        m.visitLabel(off);
        m.visitInsn(Opcodes.RETURN);
        m.visitLabel(handler);
        m.visitInsn(Opcodes.POP); // whatever the hook threw stays here
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    private static void notifyMethod(ClassWriter cw, String name, int all) {
        MethodVisitor m = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, name, "(Ljava/lang/Object;)V", null,
                null);
        m.visitCode();
        m.visitVarInsn(Opcodes.ALOAD, 0);
        // the monitor's own: an IllegalMonitorStateException leaves to the caller as before, unrecorded
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Object", name, "()V", false);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitLdcInsn((long) all);
        m.visitMethodInsn(Opcodes.INVOKESTATIC, INTERNAL_NAME, "notified", DESCRIPTOR, false);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }
}
