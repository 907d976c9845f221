#!/usr/bin/env bash
# Installs and starts what the container tests need on a Debian 12 machine, as root:
#  - the Docker engine from Debian's docker.io package, started in the background (no systemd);
#  - compose v2, which Debian 12 lacks: Debian 13's docker-compose package is a static binary, fetched
#    with a private apt configuration (the machine's own sources are not changed) and unpacked as a
#    CLI plugin.
# Idempotent: what is already there is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { printf '== %s\n' "$*"; }

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing docker.io and debootstrap"
  apt-get update -qq
  apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  # Detached, output to a file: a daemon holding CI's stdout would keep the run from ending.
  setsid nohup dockerd > /var/log/kcs-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 \
    || { echo "dockerd did not start; its log:" >&2; tail -20 /var/log/kcs-dockerd.log >&2; exit 1; }
fi

if ! docker compose version >/dev/null 2>&1; then
  log "installing compose v2 from Debian 13 (trixie)"
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
  sed -e 's/^Suites:.*/Suites: trixie/' /etc/apt/sources.list.d/debian.sources \
    | awk 'BEGIN{RS="";ORS="\n\n"} /URIs: http:\/\/deb.debian.org\/debian\n/' > "$work/trixie.sources"
  opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache" -o "APT::Get::List-Cleanup=0")
  mkdir -p "$work/parts" && mv "$work/trixie.sources" "$work/parts/"
  apt-get "${opts[@]}" update -qq
  (cd "$work" && apt-get "${opts[@]}" download docker-compose >/dev/null)
  dpkg -x "$work"/docker-compose_*.deb "$work/x"
  mkdir -p /root/.docker/cli-plugins /usr/local/lib/docker/cli-plugins
  install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" \
    /usr/local/lib/docker/cli-plugins/docker-compose
  rm -rf "$work"
fi
docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})'
docker compose version
