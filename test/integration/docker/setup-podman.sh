#!/usr/bin/env bash
# Installs and starts Podman for the container tests on a Debian 12 machine, as root, beside Docker (the two
# keep separate storages: /var/lib/containers and /var/lib/docker):
#  - Debian's podman 4.3 with crun, slirp4netns, passt, fuse-overlayfs, uidmap, podman-compose 1.0.3 and
#    catatonit (the pause process `podman kube play` needs);
#  - /etc/containers/containers.conf with the two settings these machines need: runtime runc (crun 1.8
#    refuses mixed cgroup v1/v2 mounts: "cgroups in hybrid mode not supported") and default ulimits no
#    higher than the hard limits root has here (Podman asks for nofile 1048576 by default);
#  - the API socket (unix:///run/podman/podman.sock) for Docker's CLI, Compose v2 and Testcontainers, started
#    detached with its output in a file (no systemd here; a service holding CI's stdout would keep it running);
#    its pid is in /run/podman/kcs-service.pid, for `kill` at the end of CI;
#  - a rootless user, kcs-rootless (useradd gives it a subuid/subgid range), with its XDG_RUNTIME_DIR and
#    the overlay driver (else rootless Podman falls back to vfs). Tests copy images into its storage with
#    `podman save | podman load`.
# Idempotent: what is already there is kept.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { printf '== %s\n' "$*"; }
ROOTLESS_USER=${KCS_ROOTLESS_USER:-kcs-rootless}

need=()
for tool in podman:podman crun:crun slirp4netns:slirp4netns pasta:passt fuse-overlayfs:fuse-overlayfs \
  newuidmap:uidmap podman-compose:podman-compose catatonit:catatonit; do
  command -v "${tool%%:*}" >/dev/null || [ -x "/usr/libexec/podman/${tool%%:*}" ] || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

conf=/etc/containers/containers.conf
if ! grep -q 'kestrel-cert-sidecar' "$conf" 2>/dev/null; then
  [ -e "$conf" ] && cp "$conf" "$conf.before-kcs"
  log "writing $conf (runtime runc, ulimits within the hard limits)"
  mkdir -p /etc/containers
  cat > "$conf" <<'EOF'
# Written by kestrel-cert-sidecar's test/integration/docker/setup-podman.sh.
[containers]
# Root here cannot raise limits above its hard ones; Podman asks for nofile 1048576 by default.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
# crun 1.8 refuses this machine's mixed cgroup v1/v2 mounts ("cgroups in hybrid mode not supported").
runtime = "runc"
EOF
fi
podman version --format 'podman {{.Client.Version}}'
podman-compose version 2>/dev/null | grep -i 'podman-compose' || true

sock=/run/podman/podman.sock
if ! curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
  log "starting the Podman API service on unix://$sock"
  mkdir -p /run/podman
  setsid nohup podman system service --time=0 "unix://$sock" > /var/log/kcs-podman-service.log 2>&1 < /dev/null &
  echo $! > /run/podman/kcs-service.pid
  for _ in $(seq 1 60); do curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf --unix-socket "$sock" http://d/_ping >/dev/null || {
    echo "the Podman API service did not start; its log:" >&2
    tail -20 /var/log/kcs-podman-service.log >&2
    exit 1
  }
fi
DOCKER_HOST=unix://$sock docker version --format 'Podman API: {{.Server.Version}} (API {{.Server.APIVersion}})' || true

if ! id "$ROOTLESS_USER" >/dev/null 2>&1; then
  log "adding the rootless user $ROOTLESS_USER"
  useradd -m -s /bin/bash "$ROOTLESS_USER"
fi
uid=$(id -u "$ROOTLESS_USER")
grep -q "^$ROOTLESS_USER:" /etc/subuid \
  || usermod --add-subuids 200000-265535 --add-subgids 200000-265535 "$ROOTLESS_USER"
home=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
install -d -m 0700 -o "$uid" -g "$uid" "/run/user/$uid"
install -d -o "$uid" -g "$uid" "$home/.config" "$home/.config/containers"
if [ ! -e "$home/.config/containers/storage.conf" ]; then
  printf '[storage]\ndriver = "overlay"\n' > "$home/.config/containers/storage.conf"
  chown "$uid:$uid" "$home/.config/containers/storage.conf"
fi
runuser -u "$ROOTLESS_USER" -- env "XDG_RUNTIME_DIR=/run/user/$uid" "HOME=$home" \
  podman info --format 'rootless podman for {{.Host.IDMappings.UIDMap}}: storage driver {{.Store.GraphDriverName}}' \
  | sed 's/^/== /'
