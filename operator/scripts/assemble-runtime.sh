#!/usr/bin/env bash
# Assembles the operator's runtime tree: exactly what the image contains under /app —
# the operator and CLI sources (run by Node 24's type stripping), the deploy-repo kit that
# synthesis provides to deploy repositories, and production dependencies only. The
# Dockerfile runs this script; the tests run the operator from its output, so they exercise
# what the image would contain, not the development checkout.
#
#   operator/scripts/assemble-runtime.sh <out-dir>
set -euo pipefail
out="${1:?usage: assemble-runtime.sh <out-dir>}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
[[ "$out" != "$root" && "$out" != "$root/"* || "$out" == "$root/.keelson/"* ]] || { echo "refusing to assemble into the checkout: $out" >&2; exit 2; }

rm -rf "$out/operator" "$out/cdk8s-app"
copy_sources() { # from to
  (cd "$root/$1" && find . -type f \( -name '*.ts' -o -name '*.js' -o -name '*.json' \) \
      ! -name '*.test.ts' ! -path '*/testdata/*' ! -path './scripts/*' ! -path './lint/*' ! -path './example/*' ! -path './ui/*' -print0 \
    | while IFS= read -r -d '' f; do mkdir -p "$out/$2/$(dirname "$f")"; cp "$f" "$out/$2/$f"; done)
}
copy_sources operator operator
copy_sources cdk8s-app cdk8s-app
chmod +x "$out/operator/bin/keelson.js"

# The root manifest without the development workspace and tools.
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const runtime = { name: "keelson-runtime", private: true, type: "module",
    workspaces: ["operator", "cdk8s-app"], engines: pkg.engines };
  fs.writeFileSync(process.argv[2], JSON.stringify(runtime, null, 2) + "\n");
' "$root/package.json" "$out/package.json"
cp "$root/package-lock.json" "$out/package-lock.json"
# npm prints some of its errors on stdout: its whole output goes to a log, shown when it fails.
# The lockfile's packages are in npm's cache after the development install (--prefer-offline);
# a failure (a registry that dropped a connection) is tried once more before the script gives up.
npm_log="$out/.npm-install.log"
npm_install() {
  (cd "$out" && npm install --omit=dev --omit=optional --include=optional --no-audit --no-fund --ignore-scripts \
    --prefer-offline --loglevel=error >"$npm_log" 2>&1)
}
if ! npm_install; then
  echo "assemble-runtime.sh: npm install failed in $out, trying once more:" >&2
  sed 's/^/  /' "$npm_log" >&2
  npm_install || { echo "assemble-runtime.sh: npm install failed again:" >&2; sed 's/^/  /' "$npm_log" >&2; exit 1; }
fi
rm -f "$npm_log"
# esbuild's platform binary is an optional dependency; --ignore-scripts skips nothing it needs.
# The other optional dependencies nothing loads are removed (prune-optional.ts says which).
rm -f "$out/package-lock.json"
node "$root/operator/scripts/prune-optional.ts" "$out"
# The web UI: only its build output (operator/ui/dist) is in the tree. It is built with the
# tree's own esbuild and preact (the Dockerfile's build stage has no development install).
ui_build="$out/operator/.ui-build"
mkdir -p "$ui_build" && cp -R "$root/operator/ui/build.ts" "$root/operator/ui/src" "$ui_build/"
node "$ui_build/build.ts" --out "$out/operator/ui/dist" >&2
rm -rf "$ui_build"
du -sh "$out" | awk '{print "runtime tree: " $1}' >&2
