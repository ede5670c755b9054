# Keelson. `make up` runs it locally; `make test` runs every test. Both install what they
# need: npm packages, Debian packages, and the control-plane binaries built from Go modules.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Node 24 from the `node` devDependency comes first on the PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

# chromium: the web UI's end-to-end test drives Debian's Chromium (puppeteer-core).
APT_PACKAGES := openssl git ca-certificates pass gnupg time prometheus chromium
# make image: buildah assembles the image from a base mmdebstrap makes; podman runs it in make test-image.
IMAGE_APT_PACKAGES := buildah podman runc mmdebstrap binutils skopeo
E2E_CONCURRENCY ?= 2

.PHONY: up down test bench deps npm-deps system-deps binaries lint format typecheck generate check-generated chart-check unit e2e kit ui clean \
  image image-deps image-reproducible image-dockerfile test-image test-matrix

## up: start the local control plane with the CRDs installed, and print how to use it
up: deps ui
	node test/harness/up.ts start

## down: stop what `make up` started
down:
	@if [ -x node_modules/.bin/node ]; then node test/harness/up.ts stop; else echo "nothing to stop"; fi

## test: the whole suite: lint, types, generated files, unit tests, end-to-end tests, the image run with podman
test: deps lint typecheck check-generated chart-check unit e2e test-image

deps: npm-deps system-deps binaries

npm-deps: node_modules/.keelson-installed
node_modules/.keelson-installed: package.json package-lock.json operator/package.json test/package.json
	@# npm ci refuses lockfiles that lack other platforms' optional binaries, which this
	@# registry does not serve; npm install from the lockfile is the reproducible equivalent.
	npm install --no-audit --no-fund
	touch $@

# Debian packages the tests and the local run use; installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and helm, built once
# from Go modules into ~/.cache/keelson/bin (about 25 minutes cold on 2 cores; see README).
binaries:
	test/harness/build-binaries.sh

lint: npm-deps
	oxlint -c .oxlintrc.json --deny-warnings operator test cdk8s-app image
	prettier --check --log-level warn "**/*.ts"

## format: rewrite the TypeScript in the house format (Prettier, 120 columns; `make lint` checks it)
format: npm-deps
	prettier --write --log-level warn "**/*.ts"

typecheck: npm-deps
	tsc --noEmit -p tsconfig.json
	@# the example deploy repository, with its own tsconfig as a deploy repository has one:
	@# the types `cdk8s import` generated (imports/) declare enums
	tsc --noEmit -p cdk8s-app/example/tsconfig.json
	@# the web UI: TSX for Preact, DOM types
	tsc --noEmit -p operator/ui/tsconfig.json

## generate: regenerate crds/ from the schemas in operator/src/api, and the chart README's values from values.yaml
generate: npm-deps
	node operator/scripts/generate-crds.ts
	node operator/scripts/chart-readme.ts

check-generated: npm-deps
	node operator/scripts/generate-crds.ts --check
	node operator/scripts/chart-readme.ts --check

## chart-check: helm lint --strict (Helm 3 and 4) and helm package charts/keelson into .keelson/chart
chart-check: binaries
	@bin=$$(test/harness/build-binaries.sh --print); \
	for helm in "$$bin/helm" "$$bin/helm4"; do "$$helm" lint --strict --quiet charts/keelson; done; \
	"$$bin/helm" package charts/keelson --destination .keelson/chart

unit: npm-deps
	node --test --test-reporter=spec "operator/**/*.test.ts" "cdk8s-app/**/*.test.ts" "image/**/*.test.ts"

e2e: deps kit ui
	node test/harness/with-cluster.ts -- node --test --test-reporter=spec \
	  --test-concurrency=$(E2E_CONCURRENCY) $(E2E_FILES)

# Every end-to-end test but the image's, which test-image runs after building the image.
E2E_FILES = $(shell find test/e2e -name '*.test.ts' ! -path 'test/e2e/image/*' | sort)

## image: the operator image (buildah, no Docker daemon), its SBOM and an OCI archive in .keelson/image
image: deps image-deps
	image/build.sh

## image-reproducible: build the image twice from this commit and check the two are byte for byte the same
image-reproducible: deps image-deps
	image/reproducible.sh

## image-dockerfile: the root Dockerfile built by buildah from stand-ins of its bases, run, compared
image-dockerfile: image
	image/dockerfile-check.sh

image-deps:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(IMAGE_APT_PACKAGES)"

## test-image: build the image and run it with podman against a fresh control plane, syncing the example
test-image: deps image-deps kit ui
	node test/harness/with-cluster.ts -- node --test --test-reporter=spec test/e2e/image/*.test.ts

## test-matrix: the end-to-end suite against each supported Kubernetes version in turn (KEELSON_K8S_VERSION)
test-matrix: deps
	@for v in $$(test/harness/build-binaries.sh --k8s-versions); do \
	  echo "== Kubernetes $$v"; KEELSON_K8S_VERSION=$$v $(MAKE) --no-print-directory e2e || exit 1; \
	done

## ui: the web UI (Preact, bundled by esbuild) into operator/ui/dist; fails over its size budget
ui: npm-deps
	node operator/ui/build.ts

## kit: the deploy-repo kit as an npm package, .keelson/kit/keelson-cdk8s-app-<version>.tgz
kit: npm-deps
	node cdk8s-app/scripts/pack-kit.ts

## bench: every benchmark against the local control plane, with ratios to its reference
bench: deps
	node test/harness/with-cluster.ts -- node test/bench/run-all.ts $(BENCH)

clean: down
	rm -rf .keelson
