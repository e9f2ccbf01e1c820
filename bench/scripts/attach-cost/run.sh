#!/bin/bash
# What an attach costs a warm Jetty server in recompiled code (docs/agent.md, "What an attach costs a warm
# JVM"). Usage: run.sh JARS LABEL [ATTACH-OPTIONS...], where JARS holds benchmarks.jar, jtrace.jar and
# jtrace-agent.jar (copies: a build that replaces them under a running server breaks its class loading).
# Prints the "made not entrant" lines of -XX:+PrintCompilation from before the attach to 3 s after the client
# stopped, and the classes the JVM redefined (-Xlog:redefine+class+load).
set -u
JARS=$1; LABEL=$2; shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
D=${OUT:-/tmp/attach-cost}/$LABEL; rm -rf "$D"; mkdir -p "$D"
$J -XX:+EnableDynamicAgentLoading -XX:+PrintCompilation -Xlog:redefine+class+load=info:file=$D/redefine.log \
  -cp "$JARS/benchmarks.jar" dev.jtrace.bench.server.BenchServer "$D/port" > "$D/out.log" 2>&1 &
PID=$!
while [ ! -s "$D/port" ]; do sleep 0.2; done
PORT=$(cat "$D/port")
$J "$HERE/Load.java" "$PORT" 20 > "$D/load1.log"     # warm up
sleep 3
B=$(grep -c "made not entrant" "$D/out.log")
$J "$HERE/Load.java" "$PORT" 25 > "$D/load2.log" &  # keeps running through the attach
LP=$!
sleep 5
$J -Djtrace.agent.jar="$JARS/jtrace-agent.jar" -jar "$JARS/jtrace.jar" attach $PID -d 2s -o "$D/t.jtrace" "$@" \
  > "$D/attach.out" 2> "$D/attach.err"
wait $LP
sleep 3
A=$(grep -c "made not entrant" "$D/out.log")
kill $PID; wait $PID 2>/dev/null
echo "$LABEL $*: made not entrant before $B, after $A: +$((A-B)); JDK classes redefined:" \
  "$(grep -o 'redefined name=java[^,]*' "$D/redefine.log" | sed 's/redefined name=//' | tr '\n' ' ');" \
  "classes redefined in all: $(grep -c 'redefined name=' "$D/redefine.log"); $(cat "$D/load2.log")"
grep -o "scheduler hooks[^;]*" "$D/attach.err" | head -1
