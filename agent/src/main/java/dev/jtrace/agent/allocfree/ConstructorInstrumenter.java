package dev.jtrace.agent.allocfree;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Makes the constructors of the chosen classes call {@code AllocFreeBridge.constructed(this, type)} just
 * before they return normally, i.e. once the object is constructed.
 *
 * <p>Only constructors that initialize {@code this} through {@code super(...)} are instrumented. One that
 * delegates with {@code this(...)} reaches such a constructor of the same class, so every object of the
 * class passes exactly one instrumented return, whichever constructor it was created with. A subclass
 * object passes through its superclass's constructors too; the hook compares the object's class with the
 * chosen one and ignores it (the experiment records exactly the chosen classes). The delegating call is
 * told apart from {@code new X(...)} calls in the arguments by counting {@code NEW} instructions: the first
 * {@code <init>} call with no {@code NEW} pending initializes {@code this}.
 */
final class ConstructorInstrumenter implements ClassFileTransformer {
    private final Map<String, Integer> types;
    private final Instrumentation inst;
    private final Module bridgeModule;
    /** Internal names of the classes instrumented so far (for the status reply and to undo at stop). */
    final Set<String> instrumented = ConcurrentHashMap.newKeySet();
    /** Failures, one line each, reported in the status reply. */
    final Set<String> failures = ConcurrentHashMap.newKeySet();

    /** @param classes binary names; a class's index in the list is its type number in the hook calls */
    ConstructorInstrumenter(List<String> classes, Instrumentation inst, Module bridgeModule) {
        this.types = new ConcurrentHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            types.put(classes.get(i).replace('.', '/'), i);
        }
        this.inst = inst;
        this.bridgeModule = bridgeModule;
    }

    /** Whether {@code binaryName} is one of the chosen classes. */
    boolean chosen(String binaryName) {
        return types.containsKey(binaryName.replace('.', '/'));
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
            ProtectionDomain domain, byte[] bytes) {
        Integer type = className == null ? null : types.get(className);
        if (type == null) {
            return null;
        }
        try {
            if (module != null && module.isNamed() && !module.canRead(bridgeModule)
                    && inst.isModifiableModule(module)) {
                // A named module reads only what it requires (the bridge is in java.base, which all read: a guard)
                inst.redefineModule(module, Set.of(bridgeModule), Map.of(), Map.of(), Set.of(), Map.of());
            }
            byte[] out = instrument(bytes, className, type);
            instrumented.add(className);
            return out;
        } catch (RuntimeException | LinkageError e) {
            // A transformer's exception is swallowed by the JVM: say it here, and load the class unchanged.
            failures.add(className.replace('/', '.') + ": " + e);
            return null;
        }
    }

    /** The class with its non-delegating constructors calling the bridge before each normal return. */
    static byte[] instrument(byte[] bytes, String className, int type) {
        ClassReader cr = new ClassReader(bytes);
        Set<String> delegating = delegatingConstructors(cr, className);
        ClassWriter cw = new ClassWriter(cr, ClassWriter.COMPUTE_MAXS);
        cr.accept(new ClassVisitor(Opcodes.ASM9, cw) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                    String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                if (!"<init>".equals(name) || delegating.contains(desc)) {
                    return mv;
                }
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.RETURN) {
                            // No branch and no new local: the frames of the method stay valid.
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitLdcInsn(type);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, BootstrapBridge.INTERNAL_NAME,
                                    BootstrapBridge.METHOD, BootstrapBridge.DESCRIPTOR, false);
                        }
                        super.visitInsn(opcode);
                    }
                };
            }
        }, 0);
        return cw.toByteArray();
    }

    /** Descriptors of the constructors that initialize {@code this} with {@code this(...)}. */
    static Set<String> delegatingConstructors(ClassReader cr, String className) {
        Set<String> delegating = new HashSet<>();
        cr.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature,
                    String[] exceptions) {
                if (!"<init>".equals(name)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    private int pendingNew;
                    private boolean initialized;

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (opcode == Opcodes.NEW) {
                            pendingNew++;
                        }
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                        if (opcode != Opcodes.INVOKESPECIAL || !"<init>".equals(mname) || initialized) {
                            return;
                        }
                        if (pendingNew > 0) {
                            pendingNew--;
                        } else {
                            initialized = true;
                            if (owner.equals(className)) {
                                delegating.add(desc);
                            }
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return delegating;
    }
}
