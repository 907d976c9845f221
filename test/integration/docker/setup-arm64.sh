#!/usr/bin/env bash
# Lets this amd64 machine run arm64 binaries, for `npm run image -- --platform linux/arm64` and the arm64
# integration test, as root: Debian's qemu-user-static and binfmt-support, the binfmt_misc file system,
# and the qemu-aarch64 handler (with the F flag, so it works inside containers too). Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { printf '== %s\n' "$*"; }

if ! command -v update-binfmts >/dev/null || [ ! -e /usr/libexec/qemu-binfmt/aarch64-binfmt-P ] \
  && ! command -v qemu-aarch64-static >/dev/null; then
  log "installing qemu-user-static and binfmt-support"
  apt-get update -qq
  apt-get install -y -qq qemu-user-static binfmt-support >/dev/null
fi
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  log "mounting binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  log "enabling qemu-aarch64"
  update-binfmts --enable qemu-aarch64
fi
grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 \
  || { echo "qemu-aarch64 is not enabled in binfmt_misc" >&2; exit 1; }
log "arm64 binaries run here under emulation"
