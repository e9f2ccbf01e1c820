/**
 * The jtrace recorder. Applications see only {@code dev.jtrace} (JTrace, Task, Region, FlightRecorder,
 * TraceConfig); the machinery in {@code dev.jtrace.internal} is open to the agent alone, which emits the
 * runtime's events through it. (The agent jar carries its own copy of these classes on the class path, so
 * the qualified export names the agent's module for applications that put both on the module path.)
 */
@SuppressWarnings("module") // the agent module is named for module-path users; it is not in this build
module dev.jtrace.recorder {
    requires transitive dev.jtrace.format;

    exports dev.jtrace;
    exports dev.jtrace.internal to dev.jtrace.agent;
}
