package dev.jtrace.agent.allocfree;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ObjIntConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The one class instrumented constructors call, defined in the bootstrap class loader so that every class
 * can link to it, whatever its loader (a web application's, an OSGi bundle's, the platform's). It holds a
 * single static hook of a JDK type, {@code ObjIntConsumer<Object>}, which the agent sets and clears:
 *
 * <pre>{@code
 * public final class AllocFreeBridge {
 *     public static volatile ObjIntConsumer<Object> hook;
 *     public static void constructed(Object o, int type) { ObjIntConsumer h = hook; if (h != null) h.accept(o, type); }
 * }
 * }</pre>
 *
 * It is generated here and appended to the bootstrap search path as a one-class jar, rather than shipped in
 * the agent jar, because a copy on the system class path could be loaded there first.
 */
final class BootstrapBridge {
    static final String INTERNAL_NAME = "dev/jtrace/agent/boot/AllocFreeBridge";
    static final String METHOD = "constructed";
    static final String DESCRIPTOR = "(Ljava/lang/Object;I)V";

    private static Field hookField;
    private static Module module;

    private BootstrapBridge() {}

    /** Defines the bridge in the bootstrap loader (once per JVM) and returns its module. */
    static synchronized Module install(Instrumentation inst) throws IOException, ReflectiveOperationException {
        if (hookField != null) {
            return module;
        }
        String name = INTERNAL_NAME.replace('/', '.');
        Class<?> c;
        try {
            c = Class.forName(name, true, null); // a previous agent load in this JVM defined it
        } catch (ClassNotFoundException notYet) {
            Path jar = Files.createTempFile("jtrace-bridge", ".jar");
            try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
                j.putNextEntry(new JarEntry(INTERNAL_NAME + ".class"));
                j.write(generate());
                j.closeEntry();
            }
            inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
            c = Class.forName(name, true, null);
            try {
                Files.delete(jar); // the JVM keeps the jar open; on systems that refuse, at exit
            } catch (IOException e) {
                jar.toFile().deleteOnExit();
            }
        }
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
        cw.visit(Opcodes.V1_8, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, INTERNAL_NAME, null,
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
