#!/usr/bin/env bash
# The two commands of the README:
#   npm start   installs what is missing (Node 22, Yarn 4, dependencies) and starts the demo app (:3000) and
#               backend (:7007) on SQLite with demo data;
#   npm test    installs the same, then type check, lint, unit tests (SQLite and, when reachable, PostgreSQL),
#               and the browser test; it ends with the line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/toolchain.sh
source scripts/toolchain.sh

command=${1:-}
ll_setup_toolchain
ll_install_deps

pg_url() {
  # the PostgreSQL server this kind of machine runs (trust auth); LEARNING_LOOP_PG_URL overrides it
  local url=${LEARNING_LOOP_PG_URL:-postgresql://postgres@127.0.0.1:5432}
  if node -e "
    const { Client } = require('pg');
    const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
  " "$url" 2>/dev/null; then
    echo "$url"
  fi
}

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
  mkdir -p .learning-loop
  local results=.learning-loop/results
  rm -rf "$results" && mkdir -p "$results"
  local failed_steps=()

  ll_log "type check (tsc)"
  if yarn tsc; then echo '{"passed":1,"failed":0}' >"$results/tsc.json"; else echo '{"passed":0,"failed":1}' >"$results/tsc.json"; failed_steps+=(tsc); fi

  ll_log "lint"
  if yarn backstage-cli repo lint; then echo '{"passed":1,"failed":0}' >"$results/lint.json"; else echo '{"passed":0,"failed":1}' >"$results/lint.json"; failed_steps+=(lint); fi

  local pg
  pg=$(pg_url || true)
  export BACKSTAGE_TEST_DISABLE_DOCKER=1
  if [ -n "$pg" ]; then
    export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="$pg"
    ll_log "unit tests on SQLite and PostgreSQL ($pg)"
  else
    unset BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
    ll_log "unit tests on SQLite (no PostgreSQL reachable; CI requires one)"
  fi
  if ! CI=${CI:-true} yarn backstage-cli repo test --json --outputFile="$PWD/$results/jest.json" --verbose=false; then
    failed_steps+=(unit)
  fi
  node scripts/report-databases.js "$results/jest.json" || true

  ll_log "reliability suites (plugins/learning-backend/src/reliability, SQLite and PostgreSQL)"
  if ! (cd plugins/learning-backend && CI=${CI:-true} yarn reliability --json --outputFile="$OLDPWD/$results/reliability.json" --verbose=false); then
    failed_steps+=(reliability)
  fi
  node scripts/report-databases.js "$results/reliability.json" || true

  ll_log "two backend replicas on PostgreSQL, with a PostgreSQL restart under load"
  if [ -n "$pg" ]; then
    if ! LEARNING_LOOP_PG_URL="$pg" node scripts/reliability/replicas.mjs --results "$results/replicas.json"; then failed_steps+=(replicas); fi
  else
    echo '{"passed":0,"failed":1}' >"$results/replicas.json"
    failed_steps+=(replicas)
  fi

  ll_log "benchmark smoke test: small organisation on SQLite and PostgreSQL, Learning tab vs Overview tab in Chromium, bundle sizes (prints the tables; no timing assertion)"
  if [ -n "$pg" ]; then
    if ensure_chromium && LEARNING_LOOP_PG_URL="$pg" node scripts/perf/benchmark.mjs --scale small --db both --seconds 3 --rounds 2 --summary "$results/benchmark.json"; then :; else failed_steps+=(benchmark); fi
  else
    if ensure_chromium && node scripts/perf/benchmark.mjs --scale small --db sqlite --seconds 3 --rounds 2 --summary "$results/benchmark.json"; then :; else failed_steps+=(benchmark); fi
  fi

  ll_log "publishable packages (yarn pack)"
  if ! node scripts/check-packs.mjs --results "$results/packs.json"; then failed_steps+=(packs); fi

  ll_log "browser test (Chromium)"
  if ensure_chromium && node scripts/e2e/run.mjs --results "$results/e2e.json"; then :; else failed_steps+=(browser); fi

  if [ ${#failed_steps[@]} -gt 0 ]; then
    ll_log "failed steps: ${failed_steps[*]}"
  fi
  # the closing line: "N passed, N failed"
  node scripts/summarise-results.js "$results"
  [ ${#failed_steps[@]} -eq 0 ]
}

case "$command" in
  start)
    exec yarn dev
    ;;
  test)
    run_tests
    ;;
  install)
    ;;
  *)
    echo "usage: $0 start|test|install" >&2
    exit 2
    ;;
esac
