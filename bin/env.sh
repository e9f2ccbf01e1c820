# Sourced by bin/* and .ci/run: picks JDK 25 when the machine has it, and checks the tools the build needs.
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "jtrace: Maven (mvn) is needed; installing it with apt-get" >&2
  (apt-get update -qq && apt-get install -y -qq maven) >&2 || { echo "jtrace: could not install Maven" >&2; exit 1; }
fi
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p' | head -1)
if [ -z "$java_major" ] || [ "$java_major" -lt 21 ]; then
  echo "jtrace: JDK 21 or newer is needed (found '${java_major:-none}'); set JAVA_HOME" >&2
  exit 1
fi
# Maven's own libraries use sun.misc.Unsafe; JDK 24+ warns about it on every build.
if [ "$java_major" -ge 24 ]; then
  case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
fi
