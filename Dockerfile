# The Keelson operator image. The build stage assembles the runtime tree with the same
# script the tests run the operator from (operator/scripts/assemble-runtime.sh), so the
# tests exercise what this image contains.
#   docker build -t keelson:dev .
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY operator ./operator
COPY cdk8s-app ./cdk8s-app
RUN operator/scripts/assemble-runtime.sh /runtime

FROM node:24-bookworm-slim
# Non-root, no shell needed at run time beyond the base image's; the root filesystem can be
# mounted read-only (the chart does): Keelson writes only to /var/cache/keelson and /tmp.
RUN groupadd --system --gid 10001 keelson \
 && useradd --system --uid 10001 --gid keelson --home-dir /var/cache/keelson --no-create-home keelson \
 && mkdir -p /var/cache/keelson && chown keelson:keelson /var/cache/keelson
COPY --from=build --chown=root:root /runtime /app
ENV NODE_ENV=production NODE_OPTIONS=--disable-warning=ExperimentalWarning
USER 10001:10001
WORKDIR /app
ENTRYPOINT ["node", "/app/operator/bin/keelson.js"]
CMD ["operator"]
