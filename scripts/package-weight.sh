#!/usr/bin/env bash
# The package's weight as a user gets it: packs this checkout, installs the tarball into an empty
# project from the registry (production dependencies only, as `npm install freeswitch-voice-ai`
# does), and prints the size of node_modules without and with the optional peers, then the
# median of 11 `import()` times of the package in fresh Node processes (ESM and CommonJS).
# Needs `npm run build` first. Usage: bash scripts/package-weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
peers=$(node -p "Object.entries(require('./package.json').peerDependencies).map(([n, v]) => n + '@' + v).join(' ')")

cd "$work" && npm init -y >/dev/null
npm install --no-audit --no-fund --silent --omit=dev "$tarball"
echo "tarball: $(du -k "$tarball" | cut -f1) KiB packed; package alone: $(du -sk node_modules/freeswitch-voice-ai | cut -f1) KiB"
echo "node_modules without optional peers: $(du -sk node_modules | cut -f1) KiB, $(npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l) packages"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
for kind in esm cjs; do
  for _ in $(seq 11); do
    if [ "$kind" = esm ]; then
      node --input-type=module -e "const t = performance.now(); await import('freeswitch-voice-ai'); console.log((performance.now() - t).toFixed(1));"
    else
      node -e "const t = performance.now(); require('freeswitch-voice-ai'); console.log((performance.now() - t).toFixed(1));"
    fi
  done | median | sed "s/^/import time ($kind, median of 11): /; s/\$/ ms/"
done

# Each optional peer as it adds to what is installed (its own dependencies included).
before=$(du -sk node_modules | cut -f1)
for peer in $peers; do
  npm install --no-audit --no-fund --silent "$peer"
  after=$(du -sk node_modules | cut -f1)
  echo "  + ${peer%@*}: $((after - before)) KiB"
  before=$after
done
echo "node_modules with every optional peer: $before KiB, $(npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l) packages"
