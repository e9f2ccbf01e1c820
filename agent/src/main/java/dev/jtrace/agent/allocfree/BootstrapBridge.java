package dev.jtrace.agent.allocfree;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.function.ObjIntConsumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The one class instrumented constructors call, defined in java.base so that every class can link to it,
 * whatever its loader (a web application's, an OSGi bundle's, the platform's). It holds a
 * single static hook of a JDK type, {@code ObjIntConsumer<Object>}, which the agent sets and clears:
 *
 * <pre>{@code
 * public final class AllocFreeBridge {
 *     public static volatile ObjIntConsumer<Object> hook;
 *     public static void constructed(Object o, int type) { ObjIntConsumer h = hook; if (h != null) h.accept(o, type); }
 * }
 * }</pre>
 *
 * It is generated here and defined inside java.base ({@link #install}), rather than shipped in the agent jar,
 * because a copy on the system class path could be loaded there first.
 */
final class BootstrapBridge {
    static final String INTERNAL_NAME = "java/util/concurrent/locks/JTraceAllocFreeBridge";
    static final String METHOD = "constructed";
    static final String DESCRIPTOR = "(Ljava/lang/Object;I)V";

    private static Field hookField;
    private static Module module;

    private BootstrapBridge() {}

    /** Defines the bridge in java.base ({@link dev.jtrace.agent.JavaBase}, once per JVM) and returns its module. */
    static synchronized Module install(Instrumentation inst) throws IOException, ReflectiveOperationException {
        if (hookField != null) {
            return module;
        }
        Class<?> c = dev.jtrace.agent.JavaBase.define(inst, INTERNAL_NAME.replace('/', '.'), BootstrapBridge::generate);
        hookField = c.getField("hook");
        module = c.getModule();
        return module;
    }

    /** Sets the hook every instrumented constructor calls (null: they return at once). */
    static synchronized void hook(ObjIntConsumer<Object> hook) {
        if (hookField == null) {
            return;
        }
        try {
            hookField.set(null, hook);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("jtrace agent: cannot set the alloc/free hook", e);
        }
    }

    private static byte[] generate() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object"; // never needed beyond that for this class; loads nothing
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, INTERNAL_NAME, null,
                "java/lang/Object", null);
        String consumer = "Ljava/util/function/ObjIntConsumer;";
        FieldVisitor fv = cw.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, "hook",
                consumer, "Ljava/util/function/ObjIntConsumer<Ljava/lang/Object;>;", null);
        fv.visitEnd();
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PRIVATE, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor m = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, METHOD, DESCRIPTOR, null, null);
        m.visitCode();
        m.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, "hook", consumer);
        m.visitVarInsn(Opcodes.ASTORE, 2);
        m.visitVarInsn(Opcodes.ALOAD, 2);
        Label off = new Label();
        m.visitJumpInsn(Opcodes.IFNULL, off);
        m.visitVarInsn(Opcodes.ALOAD, 2);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitVarInsn(Opcodes.ILOAD, 1);
        m.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/ObjIntConsumer", "accept",
                "(Ljava/lang/Object;I)V", true);
        m.visitLabel(off);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
