#!/usr/bin/env bash
# The image's /app: the runtime tree of operator/scripts/assemble-runtime.sh (what the tests run the
# operator from), less what nothing reads at run time: source maps and type declarations of the
# npm packages (Node runs their JavaScript; synthesis bundles JavaScript), their Markdown, their own
# test folders, and the native prebuilds of platforms other than linux-x64 (bare-* packages).
#
#   image/app-tree.sh <out-dir>
set -euo pipefail
out="${1:?usage: app-tree.sh <out-dir>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/operator/scripts/assemble-runtime.sh" "$out"
nm="$out/node_modules"
[[ -d "$nm" ]] || { echo "app-tree.sh: $nm is missing after assemble-runtime.sh" >&2; exit 1; }
find "$nm" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
  -o -name '*.md' -o -name '*.markdown' -o -name '*.tsbuildinfo' \) ! -iname 'license*' -delete
find "$nm" -mindepth 2 -maxdepth 3 -type d -name test -path '*/node_modules/*/test' -prune -exec rm -rf {} +
find "$nm" -type d -path '*/prebuilds/*' -prune ! -name linux-x64 -exec rm -rf {} +
du -sh "$out" | awk '{print "app tree (pruned): " $1}' >&2
