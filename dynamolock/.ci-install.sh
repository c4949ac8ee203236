#!/usr/bin/env bash
# Installs dynalite, the in-memory DynamoDB that dynamolock's tests run against,
# pinned to 4.0.0, with npm into $DYNALITE_DIR (default
# $HOME/.cache/scopekeeper/dynalite, where the tests look when DYNALITE_DIR is
# unset). Does nothing when that version is already there. Needs Node 20 or newer.
set -euo pipefail
DYNALITE_VERSION=4.0.0
DYNALITE_DIR=${DYNALITE_DIR:-$HOME/.cache/scopekeeper/dynalite}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "dynamolock: node and npm are needed (Node 20 or newer) to install dynalite" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "dynamolock: dynalite $DYNALITE_VERSION needs Node 20 or newer, found $(node -v)" >&2
  exit 1
fi
pkg="$DYNALITE_DIR/node_modules/dynalite/package.json"
if [ -f "$pkg" ] && [ "$(node -p "require('$pkg').version")" = "$DYNALITE_VERSION" ]; then
  echo "dynalite $DYNALITE_VERSION already in $DYNALITE_DIR"
  exit 0
fi
mkdir -p "$DYNALITE_DIR"
npm install --prefix "$DYNALITE_DIR" --no-audit --no-fund "dynalite@$DYNALITE_VERSION"
echo "dynalite $DYNALITE_VERSION installed in $DYNALITE_DIR"
