# Sourced by bin/test (and so by .ci/run): installs the Debian packages that tests use as independent
# checkers, when the machine lacks them. One list, so that a clean machine needs nothing installed by hand.
#   need_package COMMAND-OR-PATH PACKAGE...   installs PACKAGE... unless COMMAND-OR-PATH is found
jtrace_missing_packages=()
need_package() {
  local probe=$1
  shift
  if [ "${probe#/}" != "$probe" ]; then
    [ -e "$probe" ] && return 0
  elif command -v "$probe" >/dev/null 2>&1; then
    return 0
  fi
  jtrace_missing_packages+=("$@")
}
install_needed_packages() {
  [ ${#jtrace_missing_packages[@]} -eq 0 ] && return 0
  echo "jtrace: installing test dependencies with apt-get: ${jtrace_missing_packages[*]}" >&2
  local sudo=
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  ($sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${jtrace_missing_packages[@]}") >&2 || {
    echo "jtrace: could not install ${jtrace_missing_packages[*]}; the tests that need them will fail" >&2
    return 1
  }
  jtrace_missing_packages=()
}
