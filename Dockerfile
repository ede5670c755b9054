# The Keelson operator image, for `docker build` where a Docker daemon and Docker Hub are at hand:
#   docker build -t keelson:dev --build-arg REVISION=$(git rev-parse HEAD) .
# `make image` builds the same image without a daemon (image/build.sh: buildah, the same scripts and
# image/Containerfile, whose instructions the final stage repeats). The stages make its build context:
# the Debian base of image/base-rootfs.sh, Node 24's binary, helm and kustomize built from their Go
# modules at the versions test/harness/build-binaries.sh pins, and /app from image/app-tree.sh.
FROM debian:bookworm AS base
# The packages the base keeps, installed in this stage's own root, whose files base-rootfs.sh then
# copies (`--from /`): a builder lets no RUN mount /proc or unshare, which mmdebstrap needs.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libstdc++6 netbase \
 && rm -rf /var/lib/apt/lists/*
COPY image/base-rootfs.sh /src/image/
RUN SOURCE_DATE_EPOCH=0 /src/image/base-rootfs.sh --from / /rootfs

FROM golang:1.26-bookworm AS tools
ARG HELM_VERSION=v3.21.4
ARG KUSTOMIZE_VERSION=v5.8.2
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
RUN GOBIN=/tools go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
      helm.sh/helm/v3/cmd/helm@${HELM_VERSION} \
 && GOBIN=/tools go install -trimpath -ldflags "-s -w" sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}

FROM node:24-bookworm AS app
WORKDIR /src
COPY package.json package-lock.json ./
COPY operator ./operator
COPY cdk8s-app ./cdk8s-app
COPY image/app-tree.sh ./image/
RUN image/app-tree.sh /context/app && strip --strip-all -o /context/node "$(command -v node)"

# The final stage holds what image/Containerfile puts in the image (which ADDs the base as a tar).
FROM scratch
COPY --from=base /rootfs/ /
COPY --from=base --chown=10001:10001 /rootfs/var/cache/keelson /var/cache/keelson
COPY --from=app /context/node /usr/local/bin/node
COPY --from=tools /tools/ /usr/local/bin/
COPY --from=app /context/app/ /app/
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=https://github.com/keelson-dev/keelson
LABEL org.opencontainers.image.title="keelson" \
      org.opencontainers.image.description="Keelson, a GitOps operator for Kubernetes" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${CREATED}"
ENV PATH=/usr/local/bin:/usr/bin NODE_ENV=production NODE_OPTIONS=--disable-warning=ExperimentalWarning
USER 10001:10001
WORKDIR /app
ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=2", "--heap-growing-percent=20", "/app/operator/bin/keelson.js"]
CMD ["operator"]
