#!/usr/bin/env bash
# Installs the Salesforce CLI pinned in this folder's package.json + package-lock.json into
# .tmp/sf-cli/ at the repository root (outside test/, so neither vitest nor tsc walks its 700
# packages), for test/runtime/simulation/sf-cli.test.ts. Reproducible: `npm ci` from the lockfile.
# Skips the install when .tmp/sf-cli already holds exactly this lockfile's tree.
#
#   test/tools/sf-cli/install.sh          # CI runs this before `npm test`
#   SFGEN_SF_CLI_DIR=/elsewhere test/tools/sf-cli/install.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dest="${SFGEN_SF_CLI_DIR:-$root/.tmp/sf-cli}"
mkdir -p "$dest"
if [ -x "$dest/node_modules/.bin/sf" ] && cmp -s "$here/package-lock.json" "$dest/package-lock.json"; then
  echo "sf CLI already installed in $dest"
else
  cp "$here/package.json" "$here/package-lock.json" "$dest/"
  # --ignore-scripts: @salesforce/cli's only script is a preinstall Node-version check.
  (cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
"$dest/node_modules/.bin/sf" --version
