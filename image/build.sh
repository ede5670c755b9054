#!/usr/bin/env bash
# `make image`: builds the operator image without a Docker daemon. buildah assembles
# image/Containerfile from a context of the Debian base (image/base-rootfs.sh, cached under
# ~/.cache/keelson/image-base by a hash of its inputs), Node 24 from the node@24 npm package,
# helm and kustomize from test/harness/build-binaries.sh, and /app from image/app-tree.sh; then
# writes the SBOM (image/write-sbom.ts) and an OCI archive next to it in .keelson/image/.
#
#   image/build.sh        KEELSON_IMAGE=localhost/keelson (the name; the tag is the operator's version)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { printf '[image] %s\n' "$*" >&2; }
out="$root/.keelson/image"
cache="${KEELSON_CACHE:-$HOME/.cache/keelson}"
name="${KEELSON_IMAGE:-localhost/keelson}"
version="$(node -p 'require("./operator/package.json").version')"
revision="$(git rev-parse HEAD)$(git diff --quiet HEAD -- 2>/dev/null || echo -dirty)"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
created="$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)"
bin="$(test/harness/build-binaries.sh --print)"
[[ -x "$bin/helm" && -x "$bin/kustomize" ]] || test/harness/build-binaries.sh
for tool in buildah mmdebstrap strip; do
  command -v "$tool" >/dev/null \
    || { echo "image/build.sh: $tool is missing (make image-deps installs it)" >&2; exit 1; }
done

# The base, rebuilt only when its script or the archive it comes from change.
suite="${DEBIAN_SUITE:-bookworm}" mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
key="$( (cat image/base-rootfs.sh; echo "$suite $mirror $(uname -m)") | sha256sum | cut -c1-16)"
base="$cache/image-base/$key"
if [[ ! -f "$base/rootfs.tar" ]]; then
  log "base rootfs $key (mmdebstrap $suite)"
  rm -rf "$base" && mkdir -p "$base"
  SOURCE_DATE_EPOCH=0 image/base-rootfs.sh "$base/rootfs"
  tar -C "$base/rootfs" --sort=name --numeric-owner --mtime=@0 -cf "$base/rootfs.tar.tmp" .
  cp "$base/rootfs/var/lib/dpkg/status" "$base/dpkg-status"
  rm -rf "$base/rootfs" && mv "$base/rootfs.tar.tmp" "$base/rootfs.tar"
else
  log "base rootfs $key (cached)"
fi

ctx="$out/context"
rm -rf "$ctx" && mkdir -p "$ctx/tools"
cp "$base/rootfs.tar" "$ctx/rootfs.tar"
node_bin="$root/node_modules/node/bin/node"
node_version="$("$node_bin" --version)"
[[ "$node_version" == v24.* ]] || { echo "image/build.sh: $node_bin is Node $node_version, not 24" >&2; exit 1; }
strip --strip-all -o "$ctx/node" "$node_bin"
cp -L "$bin/helm" "$bin/kustomize" "$ctx/tools/"
helm_version="$(readlink "$bin/helm")" kustomize_version="$(readlink "$bin/kustomize")"
kpurl="pkg:golang/sigs.k8s.io/kustomize/kustomize/v5@${kustomize_version#kustomize-}"
log "app tree"
image/app-tree.sh "$ctx/app"

log "buildah bud $name:$version"
buildah bud --quiet --format oci --timestamp "$SOURCE_DATE_EPOCH" --omit-history \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  -f image/Containerfile -t "$name:$version" "$ctx" >&2
rm -f "$out/keelson.oci.tar"
buildah push --quiet "$name:$version" "oci-archive:$out/keelson.oci.tar:$name:$version" >&2

node image/write-sbom.ts --lock "$ctx/app/node_modules/.package-lock.json" --dpkg-status "$base/dpkg-status" \
  --image "$name" --version "$version" --created "$created" --out "$out/keelson-sbom.cdx.json" \
  --binary "node=${node_version#v}=pkg:generic/nodejs/node@${node_version#v}=$ctx/node" \
  --binary "helm=${helm_version#helm-v}=pkg:golang/helm.sh/helm/v3@${helm_version#helm-}=$ctx/tools/helm" \
  --binary "kustomize=${kustomize_version#kustomize-v}=$kpurl=$ctx/tools/kustomize"

size() { du -sb "$1" | cut -f1; }
unpacked="$(podman image inspect --format '{{.Size}}' "$name:$version")"
compressed="$(gzip -c "$out/keelson.oci.tar" | wc -c)"
mb() { echo "$(( $1 / 1000000 )) MB"; }
{
  echo "image $name:$version ($revision), created $created"
  echo "  size: $(mb "$unpacked") unpacked, $(mb "$compressed") compressed"
  packages="$(grep -c '^Package:' "$base/dpkg-status")"
  echo "  base rootfs (Debian $suite: $packages packages): $(mb "$(size "$ctx/rootfs.tar")")"
  echo "  node $node_version: $(mb "$(size "$ctx/node")")"
  echo "  helm: $(mb "$(size "$ctx/tools/helm")"), kustomize: $(mb "$(size "$ctx/tools/kustomize")")"
  echo "  /app: $(mb "$(size "$ctx/app")") (node_modules $(mb "$(size "$ctx/app/node_modules")"))"
  echo "  SBOM: $out/keelson-sbom.cdx.json; OCI archive: $out/keelson.oci.tar"
} | tee "$out/summary.txt" >&2
# The budget is the compressed size, what a registry stores and a node pulls; unpacked it is larger,
# Node 24 and helm being nearly two thirds of it (docs/operations.md#the-image).
budget=$((250 * 1000000))
if (( compressed > budget )); then
  echo "image/build.sh: $name:$version is $(mb "$compressed") compressed, over the budget of $(mb "$budget")" >&2
  exit 1
fi
echo "$name:$version"
