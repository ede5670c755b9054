#!/usr/bin/env bash
# Builds the real control-plane binaries (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok), helm (3, and 4 as `helm4`), kustomize and the CNCF distribution
# registry from Go modules, and caches them by version outside the repository. Nothing is
# downloaded but Go modules. Safe to run concurrently (flock).
#
#   test/harness/build-binaries.sh                       build whatever is missing
#   test/harness/build-binaries.sh --print               print the bin directory
#   test/harness/build-binaries.sh --print-k8s-version   print the Kubernetes version selected
#   test/harness/build-binaries.sh --print-oidc-provider print the path of the OIDC provider of these sources
#   test/harness/build-binaries.sh --k8s-versions        print the supported Kubernetes versions
#   KEELSON_K8S_VERSION=1.35 test/harness/build-binaries.sh   build (and select) another minor
set -euo pipefail

# The Kubernetes versions the harness supports: the newest patch of each of the last four minors
# (`go list -m -versions k8s.io/kubernetes`). KEELSON_K8S_VERSION (or K8S_VERSION) selects one by
# minor (`1.35`) or by exact version (`v1.35.4`); the newest is the default.
K8S_VERSIONS=(v1.34.4 v1.35.4 v1.36.3 v1.37.2)
K8S_VERSION="${KEELSON_K8S_VERSION:-${K8S_VERSION:-${K8S_VERSIONS[-1]}}}"
if [[ "$K8S_VERSION" =~ ^v?1\.([0-9]+)$ ]]; then
  for v in "${K8S_VERSIONS[@]}"; do [[ "$v" == "v1.${BASH_REMATCH[1]}."* ]] && K8S_VERSION="$v"; done
fi
K8S_VERSION="v${K8S_VERSION#v}"
if [[ ! "$K8S_VERSION" =~ ^v1\.[0-9]+\.[0-9]+$ ]]; then
  echo "build-binaries.sh: KEELSON_K8S_VERSION=$K8S_VERSION is neither a supported minor" \
    "(${K8S_VERSIONS[*]}) nor a version vMAJOR.MINOR.PATCH" >&2
  exit 2
fi
ETCD_VERSION="${ETCD_VERSION:-v3.5.35}"
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"
HELM_VERSION="${HELM_VERSION:-v3.21.4}"
HELM4_VERSION="${HELM4_VERSION:-v4.3.2}"      # `helm4`: the chart tests install and upgrade with both
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"    # v5.8.3 needs Go 1.27
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.1.2}"

CACHE="${KEELSON_CACHE:-$HOME/.cache/keelson}"
BIN="$CACHE/bin"
# The OIDC provider of the web UI's single-sign-on tests (test/harness/oidc-provider, zitadel/oidc's
# OP), named by a hash of its sources: an edit of main.go, go.mod or go.sum builds it again.
OIDC_PROVIDER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/oidc-provider"
oidc_provider_path() {
  echo "$BIN/oidc-provider-$(cd "$OIDC_PROVIDER_SRC" && cat main.go go.mod go.sum | sha256sum | cut -c1-16)"
}
case "${1:-}" in
  --print) echo "$BIN"; exit 0 ;;
  --print-oidc-provider) echo "$(oidc_provider_path)"; exit 0 ;;
  --print-k8s-version) echo "$K8S_VERSION"; exit 0 ;;
  --k8s-versions) echo "${K8S_VERSIONS[*]}"; exit 0 ;;
esac
mkdir -p "$BIN" "$CACHE/build"

exec 9>"$CACHE/build.lock"
flock 9

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

log() { printf '[build-binaries] %s\n' "$*" >&2; }

# A wrapper module that requires the target module; `go install` refuses modules that
# carry replace directives, a requiring module does not. `go get` of the main packages
# records every checksum their build needs.
wrapper() { # dir module version extra-go.mod-lines main-package...
  local dir="$1" module="$2" version="$3" extra="$4"; shift 4
  rm -rf "$dir"; mkdir -p "$dir"
  printf 'module keelson.local/build\n\ngo 1.24\n\nrequire %s %s\n%s\n' \
    "$module" "$version" "$extra" > "$dir/go.mod"
  local p; for p in "$@"; do (cd "$dir" && go get "$p@$version"); done
}

build_etcd() {
  local out="$BIN/etcd-$ETCD_VERSION"; [[ -x "$out" ]] && return
  log "etcd $ETCD_VERSION"
  local dir="$CACHE/build/etcd"
  wrapper "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "" go.etcd.io/etcd/server/v3
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$out.tmp" go.etcd.io/etcd/server/v3)
  mv "$out.tmp" "$out"
}

build_kubernetes() {
  local names=(kube-apiserver kube-controller-manager kube-scheduler) missing=0 n
  for n in "${names[@]}"; do [[ -x "$BIN/$n-$K8S_VERSION" ]] || missing=1; done
  [[ $missing == 1 ]] || return 0
  log "kubernetes $K8S_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler)"
  local dir="$CACHE/build/kubernetes" staging="v0.${K8S_VERSION#v1.}"
  local mod; mod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  # Every staging module that k8s.io/kubernetes replaces with ./staging/... gets its published build.
  local replaces; replaces="$(grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$mod" \
    | awk -v v="$staging" '{printf "replace %s => %s %s\n", $1, $1, v}')"
  local cmds=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
              k8s.io/kubernetes/cmd/kube-scheduler)
  wrapper "$dir" k8s.io/kubernetes "$K8S_VERSION" "$replaces" "${cmds[@]}"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  mkdir -p "$dir/out"
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$dir/out/" "${cmds[@]}")
  for n in "${names[@]}"; do mv "$dir/out/$n" "$BIN/$n-$K8S_VERSION"; done
}

build_kwok() {
  local out="$BIN/kwok-$KWOK_VERSION"; [[ -x "$out" ]] && return
  log "kwok $KWOK_VERSION"
  GOBIN="$CACHE/build/kwok-bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  mv "$CACHE/build/kwok-bin/kwok" "$out"
}

build_helm() {
  local out="$BIN/helm-$HELM_VERSION"; [[ -x "$out" ]] && return
  log "helm $HELM_VERSION"
  local dir="$CACHE/build/helm"
  wrapper "$dir" helm.sh/helm/v3 "$HELM_VERSION" "" helm.sh/helm/v3/cmd/helm
  local k8s; k8s="$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)"  # v0.MINOR.PATCH
  local kminor="${k8s#v0.}"; kminor="${kminor%%.*}"
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$kminor"
  done
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$out.tmp" helm.sh/helm/v3/cmd/helm)
  mv "$out.tmp" "$out"
}

# Helm 4 reads the Kubernetes version it reports from the client-go in its build info.
build_helm4() {
  local out="$BIN/helm4-$HELM4_VERSION"; [[ -x "$out" ]] && return
  log "helm $HELM4_VERSION"
  local dir="$CACHE/build/helm4"
  wrapper "$dir" helm.sh/helm/v4 "$HELM4_VERSION" "" helm.sh/helm/v4/cmd/helm
  local ld="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM4_VERSION -X helm.sh/helm/v4/internal/version.metadata="
  (cd "$dir" && go build -trimpath -ldflags "$ld" -o "$out.tmp" helm.sh/helm/v4/cmd/helm)
  mv "$out.tmp" "$out"
}

build_kustomize() {
  local out="$BIN/kustomize-$KUSTOMIZE_VERSION"; [[ -x "$out" ]] && return
  log "kustomize $KUSTOMIZE_VERSION"
  GOBIN="$CACHE/build/kustomize-bin" go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  mv "$CACHE/build/kustomize-bin/kustomize" "$out"
}

build_registry() {
  local out="$BIN/registry-$REGISTRY_VERSION"; [[ -x "$out" ]] && return
  log "registry (CNCF distribution) $REGISTRY_VERSION"
  local ld="-s -w -X github.com/distribution/distribution/v3/version.version=$REGISTRY_VERSION"
  GOBIN="$CACHE/build/registry-bin" go install -trimpath -ldflags "$ld" \
    "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  mv "$CACHE/build/registry-bin/registry" "$out"
}

build_oidc_provider() {
  local out; out="$(oidc_provider_path)"
  if [[ ! -x "$out" ]]; then
    log "oidc-provider $(basename "$out") (zitadel/oidc)"
    (cd "$OIDC_PROVIDER_SRC" && go build -trimpath -ldflags "-s -w" -o "$out.tmp" .)
    mv "$out.tmp" "$out"
  fi
  ln -sf "$(basename "$out")" "$BIN/oidc-provider"
}

build_etcd
build_kwok
build_helm
build_helm4
build_kustomize
build_registry
build_oidc_provider
build_kubernetes
for n in etcd:$ETCD_VERSION kube-apiserver:$K8S_VERSION kube-controller-manager:$K8S_VERSION \
         kube-scheduler:$K8S_VERSION kwok:$KWOK_VERSION helm:$HELM_VERSION helm4:$HELM4_VERSION \
         kustomize:$KUSTOMIZE_VERSION registry:$REGISTRY_VERSION; do
  ln -sf "${n%%:*}-${n#*:}" "$BIN/${n%%:*}"
done
log "binaries ready in $BIN"
