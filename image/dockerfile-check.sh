#!/usr/bin/env bash
# `make image-dockerfile`: builds the root Dockerfile, as `docker build` would, with buildah. The
# Dockerfile starts from debian:bookworm, golang:1.26-bookworm and node:24-bookworm, which Docker
# Hub serves and this machine cannot reach; stand-ins of the three are made here first, from parts
# it can reach (mmdebstrap from the Debian archive, the Go toolchain on the PATH, Node 24 of the
# node@24 npm package and the npm on the PATH), under the same names, so the Dockerfile is built
# unchanged. The image it makes is then run (`keelson help`) and its /app compared with
# `make image`'s: the same files.
#
#   image/dockerfile-check.sh        KEELSON_IMAGE=localhost/keelson (the image make image built)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { printf '[dockerfile] %s\n' "$*" >&2; }
work="$root/.keelson/image-dockerfile"
mkdir -p "$work"
name="${KEELSON_IMAGE:-localhost/keelson}"
version="$(node -p 'require("./operator/package.json").version')"

have() { podman image exists "$1"; }
# A CA bundle of this machine's (a TLS-intercepting proxy's CA, if there is one) goes into the
# stand-ins that fetch over https (Go modules, npm), as it would on a builder behind that proxy.
ca=/etc/ssl/certs/ca-certificates.crt
if ! have docker.io/library/debian:bookworm; then
  log "stand-in debian:bookworm (mmdebstrap --variant=apt)"
  mmdebstrap --quiet --variant=apt --include=ca-certificates bookworm "$work/debian.tar" \
    "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
  podman import --quiet "$work/debian.tar" docker.io/library/debian:bookworm >/dev/null
  rm -f "$work/debian.tar"
fi
standin() { # image, then buildah copy pairs and commands run inside
  local image="$1" c; shift
  c="$(buildah from --pull=never docker.io/library/debian:bookworm)"
  buildah copy --quiet "$c" "$ca" /etc/ssl/certs/ca-certificates.crt >/dev/null
  "$@" "$c"
  buildah commit --quiet "$c" "docker.io/library/$image" >/dev/null
  buildah rm "$c" >/dev/null
}
go_standin() {
  local goroot; goroot="$(go env GOROOT)"
  buildah copy --quiet "$1" "$goroot" /usr/local/go >/dev/null
  buildah config --env GOPATH=/go \
    --env PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$1"
}
node_standin() {
  local npm; npm="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
  buildah copy --quiet "$1" "$root/node_modules/node/bin/node" /usr/local/bin/node >/dev/null
  buildah copy --quiet "$1" "$npm" /usr/local/lib/node_modules/npm >/dev/null
  buildah run "$1" -- ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  # node:24-bookworm (buildpack-deps) has binutils; the Dockerfile strips Node with it.
  buildah run "$1" -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils >/dev/null'
  # Node reads its own CA store, not the system's: the extra CAs are named to it.
  buildah config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$1"
}
if ! have docker.io/library/golang:1.26-bookworm; then
  [[ "$(go env GOVERSION)" == go1.26* ]] || { echo "dockerfile-check.sh: Go 1.26 is needed for the stand-in" >&2; exit 1; }
  log "stand-in golang:1.26-bookworm ($(go env GOVERSION))"
  standin golang:1.26-bookworm go_standin
fi
if ! have docker.io/library/node:24-bookworm; then
  log "stand-in node:24-bookworm ($("$root/node_modules/node/bin/node" --version))"
  standin node:24-bookworm node_standin
fi

log "buildah bud -f Dockerfile"
buildah bud --quiet --pull=never --network=host --isolation=chroot --layers \
  --build-arg REVISION="$(git rev-parse HEAD)" -f Dockerfile -t localhost/keelson-dockerfile:"$version" . >&2

log "run it"
podman run --rm --runtime runc --cgroup-manager=cgroupfs --ulimit nofile=4096:4096 --ulimit nproc=1024:1024 \
  --read-only --network=none localhost/keelson-dockerfile:"$version" help > "$work/help.txt"
grep -q 'keelson' "$work/help.txt" || { echo "dockerfile-check.sh: keelson help printed nothing useful" >&2; exit 1; }

log "compare /app with $name:$version"
files() { # image
  local c m; c="$(buildah from --pull=never "$1")"; m="$(buildah mount "$c")"
  (cd "$m/app" && find . -type f -printf '%P %s\n' | sort)
  buildah umount "$c" >/dev/null; buildah rm "$c" >/dev/null
}
files "$name:$version" > "$work/app-make-image.txt"
files localhost/keelson-dockerfile:"$version" > "$work/app-dockerfile.txt"
if ! diff -q "$work/app-make-image.txt" "$work/app-dockerfile.txt" >/dev/null; then
  diff "$work/app-make-image.txt" "$work/app-dockerfile.txt" | head -30 >&2
  echo "dockerfile-check.sh: the Dockerfile's /app differs from make image's ($work)" >&2
  exit 1
fi
log "the Dockerfile builds, runs, and its /app is make image's ($(wc -l < "$work/app-dockerfile.txt") files)"
