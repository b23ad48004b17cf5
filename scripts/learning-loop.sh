#!/usr/bin/env bash
# The two commands of the README:
#   npm start   installs what is missing (Node 22, Yarn 4, dependencies) and starts the demo app (:3000) and
#               backend (:7007) on SQLite with demo data;
#   npm test    installs the same, then runs scripts/test/run.mjs: type check, lint, unit and reliability tests on
#               SQLite and on PostgreSQL servers it starts itself, the replica test, the benchmark smoke, the
#               packs and the browser test; it ends with the line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh

command=${1:-}
ll_setup_toolchain
ll_install_deps

ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return; fi
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -x "$candidate" ]; then export CHROMIUM_PATH=$candidate; return; fi
  done
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    ll_log "installing Chromium from Debian packages for the browser test"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
    export CHROMIUM_PATH=/usr/bin/chromium
    return
  fi
  ll_log "Chromium is missing: install the Debian package 'chromium' or set CHROMIUM_PATH"
  return 1
}

run_tests() {
  # the benchmark smoke and the browser test drive Chromium; the PostgreSQL servers are the test run's own
  ensure_chromium
  exec node scripts/test/run.mjs "$@"
}

case "$command" in
  start)
    exec yarn dev
    ;;
  test)
    shift
    run_tests "$@"
    ;;
  install)
    ;;
  *)
    echo "usage: $0 start|test|install" >&2
    exit 2
    ;;
esac
