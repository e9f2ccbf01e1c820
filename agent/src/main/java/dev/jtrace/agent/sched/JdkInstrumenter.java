package dev.jtrace.agent.sched;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Puts the calls to {@code SchedulerBridge} into the JDK's scheduler code (docs/agent.md, "Hook points"):
 *
 * <ul>
 *   <li>{@code LockSupport}: at the entry and before the return of {@code park()}, {@code park(Object)},
 *       {@code parkNanos(long)}, {@code parkNanos(Object, long)} and {@code parkUntil(long)} (which
 *       {@code parkUntil(Object, long)} calls), and at the entry of {@code unpark(Thread)};
 *   <li>{@code Object.wait(long)} (every wait passes there; it is Java code since JDK 19): at its entry, and
 *       at every return and every exception that leaves it (a catch-all handler that rethrows);
 *   <li>{@code Thread}: at the entry of {@code yield()}, of {@code beforeSleep(long)} and of
 *       {@code afterSleep(...)}, which every {@code Thread.sleep} calls before and (in a finally) after;
 *   <li>{@code VirtualThread.runContinuation()}: before its call of {@code mount()} and after each call of
 *       {@code unmount()}, where the current thread is the carrier (never inside the mount transition);
 *       at the entry of every {@code *submitRunContinuation*} method;
 *   <li>in application classes (not the JDK's), every call of {@code notify()} and {@code notifyAll()} is
 *       replaced by the bridge's, which notifies and then records: they are native methods of Object, whose
 *       code cannot change once loaded.
 * </ul>
 *
 * Every inserted sequence pushes its arguments and calls a static method that returns nothing: the stack is
 * as before and no branch is added, so the methods' stack map frames stay valid. The one exception is the
 * catch-all handler of {@code Object.wait}, whose frame is written here (its locals are the parameters,
 * which the method never assigns).
 */
final class JdkInstrumenter implements ClassFileTransformer {
    static final String BRIDGE = BridgeClass.INTERNAL_NAME;

    static final String LOCK_SUPPORT = "java/util/concurrent/locks/LockSupport";
    static final String OBJECT = "java/lang/Object";
    static final String THREAD = "java/lang/Thread";
    static final String VIRTUAL_THREAD = "java/lang/VirtualThread";

    /** Every hook point this agent knows, as {@code Class.method}: what {@link #found} is compared with. */
    static final List<String> HOOK_POINTS = List.of(
            "LockSupport.park()", "LockSupport.park(Object)", "LockSupport.parkNanos(long)",
            "LockSupport.parkNanos(Object,long)", "LockSupport.parkUntil(long)", "LockSupport.unpark(Thread)",
            "Object.wait(long)", "Thread.yield()", "Thread.beforeSleep(long)", "Thread.afterSleep",
            "VirtualThread.runContinuation:mount", "VirtualThread.runContinuation:unmount",
            "VirtualThread.submitRunContinuation");

    /** Whether application classes get their notify calls replaced: on while a recording asks for waits. */
    private volatile boolean notifyCallSites;
    /** Hook points instrumented, by the names of {@link #HOOK_POINTS}. */
    final Set<String> found = ConcurrentHashMap.newKeySet();
    /** Application classes whose notify calls were replaced. */
    final Set<String> notifyClasses = ConcurrentHashMap.newKeySet();
    /** One line per failure (a class the JVM then loaded unchanged). */
    final Set<String> failures = ConcurrentHashMap.newKeySet();

    /** Where the agent's (and the recorder's, shaded in) classes come from: those are never rewritten. */
    private final java.net.URL agentLocation;

    /**
     * The JDK classes (internal names) to instrument when they are (re)transformed: only those a recording's
     * families needed, never given back (see {@link SchedulerTracing}).
     */
    private final Set<String> jdkClasses = ConcurrentHashMap.newKeySet();

    /** From now on, a (re)transformation of this JDK class instruments it. */
    void wantJdkClass(String internalName) {
        jdkClasses.add(internalName);
    }

    /** Whether a recording asked for this JDK class before: it carries the hooks then. */
    boolean jdkClassWanted(String internalName) {
        return jdkClasses.contains(internalName);
    }

    /** Turns the replacing of application classes' notify calls on or off (for classes loaded from now on). */
    void notifyCallSites(boolean on) {
        notifyCallSites = on;
    }

    JdkInstrumenter(boolean notifyCallSites) {
        this.notifyCallSites = notifyCallSites;
        java.security.CodeSource cs = JdkInstrumenter.class.getProtectionDomain().getCodeSource();
        this.agentLocation = cs == null ? null : cs.getLocation();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
            ProtectionDomain domain, byte[] bytes) {
        if (className == null) {
            return null;
        }
        try {
            return switch (className) {
                case LOCK_SUPPORT, OBJECT, THREAD, VIRTUAL_THREAD ->
                        jdkClasses.contains(className) ? instrumentJdk(className, bytes) : null;
                default -> notifyCallSites && isApplication(loader, className, domain) && mentionsNotify(bytes)
                        ? replaceNotifyCalls(module, className, bytes) : null;
            };
        } catch (RuntimeException | LinkageError e) {
            // the JVM swallows a transformer's exception: say it, and the class stays as it was
            failures.add(className.replace('/', '.') + ": " + e);
            return null;
        }
    }

    /** Not a JDK class (those have the boot or platform loader), nor the tracer's own (from the agent's jar). */
    private boolean isApplication(ClassLoader loader, String className, ProtectionDomain domain) {
        if (loader == null || loader == ClassLoader.getPlatformClassLoader() || className.startsWith("java/")
                || className.startsWith("jdk/") || className.startsWith("sun/") || className.startsWith("com/sun/")) {
            return false;
        }
        java.security.CodeSource cs = domain == null ? null : domain.getCodeSource();
        return cs == null || agentLocation == null || !agentLocation.equals(cs.getLocation());
    }

    /** A quick test on the constant pool's bytes before any parsing: "notify" appears as a UTF-8 entry. */
    static boolean mentionsNotify(byte[] b) {
        outer:
        for (int i = 0, n = b.length - 6; i <= n; i++) {
            if (b[i] == 'n' && b[i + 1] == 'o') {
                for (int k = 2; k < 6; k++) {
                    if (b[i + k] != "notify".charAt(k)) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }

    byte[] instrumentJdk(String className, byte[] bytes) {
        ClassReader cr = new ClassReader(bytes);
        ClassWriter cw = new ClassWriter(cr, ClassWriter.COMPUTE_MAXS);
        cr.accept(new ClassVisitor(Opcodes.ASM9, cw) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exc) {
                MethodVisitor mv = super.visitMethod(access, name, desc, sig, exc);
                return switch (className) {
                    case LOCK_SUPPORT -> lockSupport(mv, name, desc);
                    case OBJECT -> name.equals("wait") && desc.equals("(J)V") ? objectWait(mv) : mv;
                    case THREAD -> thread(mv, name, desc);
                    default -> virtualThread(mv, name, desc);
                };
            }
        }, ClassReader.EXPAND_FRAMES);
        return cw.toByteArray();
    }

    private MethodVisitor lockSupport(MethodVisitor mv, String name, String desc) {
        switch (name + desc) {
            case "park()V" -> {
                found.add("LockSupport.park()");
                return new EntryExit(mv, m -> {
                    m.visitInsn(Opcodes.ACONST_NULL);
                    m.visitInsn(Opcodes.LCONST_0);
                    call(m, "parkBegin");
                }, m -> noArgs(m, "blockEnd"));
            }
            case "park(Ljava/lang/Object;)V" -> {
                found.add("LockSupport.park(Object)");
                return new EntryExit(mv, m -> {
                    m.visitVarInsn(Opcodes.ALOAD, 0);
                    m.visitInsn(Opcodes.LCONST_0);
                    call(m, "parkBegin");
                }, m -> noArgs(m, "blockEnd"));
            }
            case "parkNanos(J)V" -> {
                found.add("LockSupport.parkNanos(long)");
                return new EntryExit(mv, m -> {
                    m.visitInsn(Opcodes.ACONST_NULL);
                    m.visitVarInsn(Opcodes.LLOAD, 0);
                    call(m, "parkNanosBegin");
                }, m -> {
                    m.visitInsn(Opcodes.ACONST_NULL);
                    m.visitVarInsn(Opcodes.LLOAD, 0);
                    call(m, "parkNanosEnd");
                });
            }
            case "parkNanos(Ljava/lang/Object;J)V" -> {
                found.add("LockSupport.parkNanos(Object,long)");
                return new EntryExit(mv, m -> {
                    m.visitVarInsn(Opcodes.ALOAD, 0);
                    m.visitVarInsn(Opcodes.LLOAD, 1);
                    call(m, "parkNanosBegin");
                }, m -> {
                    m.visitInsn(Opcodes.ACONST_NULL);
                    m.visitVarInsn(Opcodes.LLOAD, 1);
                    call(m, "parkNanosEnd");
                });
            }
            case "parkUntil(J)V" -> {
                found.add("LockSupport.parkUntil(long)");
                return new EntryExit(mv, m -> {
                    m.visitInsn(Opcodes.ACONST_NULL);
                    m.visitVarInsn(Opcodes.LLOAD, 0);
                    call(m, "parkUntilBegin");
                }, m -> noArgs(m, "blockEnd"));
            }
            case "unpark(Ljava/lang/Thread;)V" -> {
                found.add("LockSupport.unpark(Thread)");
                return new EntryExit(mv, m -> {
                    m.visitVarInsn(Opcodes.ALOAD, 0);
                    m.visitInsn(Opcodes.LCONST_0);
                    call(m, "unpark");
                }, null);
            }
            default -> {
                return mv;
            }
        }
    }

    private MethodVisitor objectWait(MethodVisitor mv) {
        found.add("Object.wait(long)");
        return new EntryExit(mv, m -> {
            m.visitVarInsn(Opcodes.ALOAD, 0);
            m.visitVarInsn(Opcodes.LLOAD, 1);
            call(m, "waitBegin");
        }, m -> noArgs(m, "blockEnd"), new Object[] {OBJECT, Opcodes.LONG});
    }

    private MethodVisitor thread(MethodVisitor mv, String name, String desc) {
        if (name.equals("yield") && desc.equals("()V")) {
            found.add("Thread.yield()");
            return new EntryExit(mv, m -> noArgs(m, "yielded"), null);
        }
        if (name.equals("beforeSleep") && desc.startsWith("(J)")) {
            found.add("Thread.beforeSleep(long)");
            return new EntryExit(mv, m -> {
                m.visitInsn(Opcodes.ACONST_NULL);
                m.visitVarInsn(Opcodes.LLOAD, 0);
                call(m, "sleepBegin");
            }, null);
        }
        if (name.equals("afterSleep") && desc.endsWith(")V")) {
            found.add("Thread.afterSleep");
            return new EntryExit(mv, m -> noArgs(m, "blockEnd"), null);
        }
        return mv;
    }

    private MethodVisitor virtualThread(MethodVisitor mv, String name, String desc) {
        if (name.equals("runContinuation") && desc.equals("()V")) {
            return new MethodVisitor(Opcodes.ASM9, mv) {
                @Override
                public void visitMethodInsn(int op, String owner, String mname, String mdesc, boolean itf) {
                    // private methods: invokevirtual since JDK 11 (nestmates), invokespecial before
                    boolean self = (op == Opcodes.INVOKESPECIAL || op == Opcodes.INVOKEVIRTUAL)
                            && owner.equals(VIRTUAL_THREAD) && mdesc.equals("()V");
                    if (self && mname.equals("mount")) {
                        found.add("VirtualThread.runContinuation:mount");
                        thisArg(mv, "mount");
                    }
                    super.visitMethodInsn(op, owner, mname, mdesc, itf);
                    if (self && mname.equals("unmount")) {
                        found.add("VirtualThread.runContinuation:unmount");
                        thisArg(mv, "unmount");
                    }
                }
            };
        }
        if (name.contains("ubmitRunContinuation") && desc.endsWith(")V")) {
            found.add("VirtualThread.submitRunContinuation");
            return new EntryExit(mv, m -> thisArg(m, "submit"), null);
        }
        return mv;
    }

    /** Calls hook {@code name} of the bridge with the (Object, long) already pushed. */
    private static void call(MethodVisitor m, String name) {
        m.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, name, BridgeClass.DESCRIPTOR, false);
    }

    private static void noArgs(MethodVisitor m, String name) {
        m.visitInsn(Opcodes.ACONST_NULL);
        m.visitInsn(Opcodes.LCONST_0);
        call(m, name);
    }

    private static void thisArg(MethodVisitor m, String name) {
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitInsn(Opcodes.LCONST_0);
        call(m, name);
    }

    /** Replaces {@code x.notify()} and {@code x.notifyAll()} in an application class by the bridge's. */
    byte[] replaceNotifyCalls(Module module, String className, byte[] bytes) {
        ClassReader cr = new ClassReader(bytes);
        ClassWriter cw = new ClassWriter(cr, 0);
        boolean[] replaced = {false};
        cr.accept(new ClassVisitor(Opcodes.ASM9, cw) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exc) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, desc, sig, exc)) {
                    @Override
                    public void visitMethodInsn(int op, String owner, String mname, String mdesc, boolean itf) {
                        if ((op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE) && mdesc.equals("()V")
                                && (mname.equals("notify") || mname.equals("notifyAll")) && owner.charAt(0) != '[') {
                            // [receiver] -> bridge(receiver): the same stack effect, so frames are unchanged
                            replaced[0] = true;
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, mname, "(Ljava/lang/Object;)V", false);
                            return;
                        }
                        super.visitMethodInsn(op, owner, mname, mdesc, itf);
                    }
                };
            }
        }, 0);
        if (!replaced[0]) {
            return null;
        }
        // the bridge is public in an exported package of java.base, which every module reads
        notifyClasses.add(className);
        return cw.toByteArray();
    }

    /**
     * Inserts {@code entry} at the start of a method and {@code exit} before each of its returns; with
     * {@code handlerLocals}, also around the whole body a catch-all handler that runs {@code exit} and
     * rethrows. The handler is registered last, so the method's own handlers, which come first in the
     * exception table, still catch what they caught.
     */
    private static final class EntryExit extends MethodVisitor {
        private final java.util.function.Consumer<MethodVisitor> entry;
        private final java.util.function.Consumer<MethodVisitor> exit;
        private final Object[] handlerLocals;
        private final Label start = new Label();

        EntryExit(MethodVisitor mv, java.util.function.Consumer<MethodVisitor> entry,
                java.util.function.Consumer<MethodVisitor> exit) {
            this(mv, entry, exit, null);
        }

        EntryExit(MethodVisitor mv, java.util.function.Consumer<MethodVisitor> entry,
                java.util.function.Consumer<MethodVisitor> exit, Object[] handlerLocals) {
            super(Opcodes.ASM9, mv);
            this.entry = entry;
            this.exit = exit;
            this.handlerLocals = handlerLocals;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            entry.accept(mv);
            if (handlerLocals != null) {
                super.visitLabel(start);
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (exit != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                exit.accept(mv);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            if (handlerLocals != null) {
                Label end = new Label();
                Label handler = new Label();
                super.visitLabel(end);
                super.visitTryCatchBlock(start, end, handler, null);
                super.visitLabel(handler);
                super.visitFrame(Opcodes.F_NEW, handlerLocals.length, handlerLocals, 1,
                        new Object[] {"java/lang/Throwable"});
                exit.accept(mv);
                super.visitInsn(Opcodes.ATHROW);
            }
            super.visitMaxs(maxStack, maxLocals);
        }
    }
}
