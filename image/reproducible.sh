#!/usr/bin/env bash
# `make image-reproducible`: builds the operator image twice from one commit, each time from a fresh
# context (app tree re-installed by npm, UI bundled again, the base taken from its cache), and
# compares the two manifests and SBOMs byte for byte. On a difference it names the files that
# differ between the layers, so the cause can be found. Exits non-zero when the builds differ.
#
#   image/reproducible.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { printf '[reproducible] %s\n' "$*" >&2; }
out="$root/.keelson/image"
work="$root/.keelson/image-reproducible"
rm -rf "$work" && mkdir -p "$work"

for build in a b; do
  log "build $build"
  # One name for both: the SBOM names the image (and its serial number is derived from it).
  KEELSON_IMAGE="localhost/keelson-reproducible" image/build.sh >/dev/null
  mkdir -p "$work/$build"
  mv "$out/keelson.oci.tar" "$work/$build/keelson.oci.tar"
  cp "$out/keelson-sbom.cdx.json" "$work/$build/keelson-sbom.cdx.json"
  # The archive names the image it came from; what is compared is the manifest, config and layers.
  skopeo inspect --raw "oci-archive:$work/$build/keelson.oci.tar" > "$work/$build/manifest.json"
  skopeo inspect --config --raw "oci-archive:$work/$build/keelson.oci.tar" > "$work/$build/config.json"
done

digest() { sha256sum "$1" | cut -d' ' -f1; }
a="$(digest "$work/a/manifest.json")" b="$(digest "$work/b/manifest.json")"
sbom_same=yes
cmp -s "$work/a/keelson-sbom.cdx.json" "$work/b/keelson-sbom.cdx.json" || sbom_same=no
log "manifest a sha256:$a"
log "manifest b sha256:$b"
log "SBOMs identical: $sbom_same"
if [[ "$a" == "$b" && "$sbom_same" == yes ]]; then
  log "the two builds are identical"
  exit 0
fi

# Where they differ: each layer's files with their sizes and checksums.
listing() { # build
  local dir="$work/$1/unpacked"
  mkdir -p "$dir" && tar -C "$dir" -xf "$work/$1/keelson.oci.tar"
  node -e '
    const fs = require("fs");
    const m = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const l of m.layers) console.log(l.digest.replace("sha256:", ""));
  ' "$work/$1/manifest.json" | while read -r layer; do
    tar -tvzf "$dir/blobs/sha256/$layer" 2>/dev/null || tar -tvf "$dir/blobs/sha256/$layer"
  done | sort -k6
}
listing a > "$work/a/files.txt"
listing b > "$work/b/files.txt"
diff "$work/a/files.txt" "$work/b/files.txt" | head -50 >&2 || true
diff "$work/a/config.json" "$work/b/config.json" >&2 || true
echo "image/reproducible.sh: two builds of one commit differ (manifests sha256:$a and sha256:$b; $work)" >&2
exit 1
