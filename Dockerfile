# kestrel-cert-sidecar image.
#
# Runtime base: Google's distroless Node.js 24 image. It has Node and nothing else: no shell, no
# package manager, glibc (the official Node binaries need it; Alpine would need a musl build), and
# it is small. The sidecar needs nothing beyond `node` and its bundles. Both bases are build
# arguments, so an environment without a registry can build from local stand-ins:
#   docker build --build-arg NODE_IMAGE=... --build-arg BUILD_IMAGE=... -t kestrel-cert-sidecar .
# Builds with the classic builder (no BuildKit-only syntax).
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG NODE_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Only the runtime dependencies and esbuild: the bundles need nothing else, and no install scripts run.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && esbuild="$(node -p "require('./package-lock.json').packages['node_modules/esbuild'].version")" \
 && npm install --no-save --ignore-scripts --no-audit --no-fund "esbuild@$esbuild"
COPY scripts ./scripts
COPY sidecar ./sidecar
RUN node scripts/build.mjs \
 && mkdir -p /staging/https /staging/state /staging/app \
 && cp -r dist/. /staging/app/

# The code caches (see sidecar/entry/loader.ts) are made again by the Node of the runtime image, so V8
# accepts them there. No shell in that image: exec form.
FROM ${NODE_IMAGE} AS warm
USER 0
COPY --from=build /staging/app /app
RUN ["/nodejs/bin/node", "/app/warm-code-cache.mjs"]

FROM ${NODE_IMAGE}
# An ARG before the first FROM is not seen inside a stage unless declared again there.
ARG NODE_IMAGE
ARG VERSION=0.1.0
# A quoted string continued on the next line goes on at that line's first column (here and in the
# HEALTHCHECK): Docker keeps a continued line's indentation inside quotes.
LABEL org.opencontainers.image.title="kestrel-cert-sidecar" \
      org.opencontainers.image.description="Validates, converts and atomically publishes TLS certificates \
for ASP.NET Core Kestrel" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# The entry points, the bundles and their code caches; nothing from node_modules.
COPY --from=warm /app /app
# /https owned by 1654 (the `app` user of the ASP.NET Core images), so a fresh named volume mounted
# there inherits that owner and the non-root sidecar can publish into it.
COPY --from=build --chown=1654:1654 /staging/https /https
# /state likewise, for KCS_STATE (the development CA): a private named volume, never the shared one.
COPY --from=build --chown=1654:1654 /staging/state /state
ENV KCS_OUTPUT=/https \
    KCS_RUNS_IN=container \
    NODE_ENV=production
USER 1654:1654
# For `watch`: healthy while a valid, unexpired set is published. No shell in the image, so Node asks.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:'+(process.env.KCS_HEALTH_PORT||8089)+'/readyz')\
.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node", "/app/kestrel-cert-sidecar.mjs"]
