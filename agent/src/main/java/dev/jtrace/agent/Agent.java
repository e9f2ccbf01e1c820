package dev.jtrace.agent;

import dev.jtrace.FlightRecorder;
import dev.jtrace.JTrace;
import java.lang.instrument.Instrumentation;

/**
 * {@code -javaagent:jtrace-agent.jar=file=out.jtrace,...}: records the JVM from its start to its exit,
 * without changes to the application. See docs/agent.md for the options. A bad option is reported on
 * stderr and the application runs untraced: the tracer never stops an application from starting.
 */
public final class Agent {
    private static RuntimeBridge bridge;
    private static FlightRecorder flight;
    private static AgentOptions options;

    private Agent() {}

    /** Entry point of {@code -javaagent}. */
    public static void premain(String args, Instrumentation inst) {
        start(args);
    }

    /** Entry point when loaded into a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args);
    }

    static synchronized void start(String args) {
        if (options != null) {
            System.err.println("jtrace agent: already recording to " + options.file);
            return;
        }
        try {
            AgentOptions o = AgentOptions.parse(args);
            if (o.flight != null) {
                flight = new FlightRecorder(o.config, o.flight, o.maxBytes);
                flight.start();
            } else {
                JTrace.start(o.config);
            }
            options = o;
            bridge = new RuntimeBridge(o);
            Thread hook = new Thread(Agent::stop, "jtrace-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (Exception | LinkageError e) {
            System.err.println("jtrace agent: not recording: " + e.getMessage());
        }
    }

    static synchronized void stop() {
        if (options == null) {
            return;
        }
        try {
            bridge.close();
            if (flight != null) {
                long n = flight.writeTo(options.file);
                flight.stop();
                System.err.println("jtrace agent: wrote the flight recorder's window (" + n + " bytes) to "
                        + options.file);
            } else {
                JTrace.stop();
            }
        } catch (Exception e) {
            System.err.println("jtrace agent: stopping failed: " + e);
        } finally {
            options = null;
        }
    }
}
