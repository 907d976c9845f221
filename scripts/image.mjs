#!/usr/bin/env node
// Builds the image: `npm run image` (linux/amd64), `npm run image -- --platform linux/arm64`,
// `npm run image -- --engine podman`.
// With the official base images when they are here or a registry gives them, else with local stand-ins
// (test/integration/docker/standins.sh, built on demand), and says which. STANDIN_IMAGES=1 forces the stand-ins.
// Tags: kestrel-cert-sidecar:<version> (amd64) and kestrel-cert-sidecar:<version>-arm64.
// On Docker or Podman (`--engine docker|podman` or CONTAINER_ENGINE, else the one that answers: scripts/engine.mjs),
// always in Docker's image format, so the HEALTHCHECK is kept (Podman builds OCI images by default, without one).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { containerEngine } from './engine.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
export const OFFICIAL = {
  BUILD_IMAGE: 'node:24-bookworm-slim',
  NODE_IMAGE: 'gcr.io/distroless/nodejs24-debian12:nonroot',
  SDK_IMAGE: 'mcr.microsoft.com/dotnet/sdk:10.0',
  ASPNET_IMAGE: 'mcr.microsoft.com/dotnet/aspnet:10.0',
};
export const STANDINS = {
  BUILD_IMAGE: 'kcs-standin/node-build:24',
  NODE_IMAGE: 'kcs-standin/node:24',
  SDK_IMAGE: 'kcs-standin/sdk:10.0',
  ASPNET_IMAGE: 'kcs-standin/aspnet:10.0',
};

/** The tag of the image for a platform. */
export function imageTag(platform = 'linux/amd64') {
  return platform === 'linux/arm64' ? `kestrel-cert-sidecar:${VERSION}-arm64` : `kestrel-cert-sidecar:${VERSION}`;
}

/** Runs a command in the repository; its stdout, or an error holding the end of its output. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n` +
        `${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`,
    );
  return r.stdout ?? '';
}

/** The official base images where each can be had (present, or pulled within 30 s), else the local stand-ins. */
export function chooseBaseImages({ log = () => {}, engine = containerEngine() } = {}) {
  const have = (img) =>
    spawnSync(engine.cli, ['image', 'inspect', img], { stdio: 'ignore' }).status === 0 ||
    spawnSync(engine.cli, ['pull', '-q', img], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (process.env.STANDIN_IMAGES !== '1' && Object.values(OFFICIAL).every(have)) {
    log('base images: the official ones (a registry answered, or they are here already)');
    return { kind: 'official', images: OFFICIAL };
  }
  log(
    'base images: local stand-ins (no registry answered; STANDIN_IMAGES=1 forces them), ' +
      "built from Debian packages and this machine's Node and .NET",
  );
  run('bash', ['test/integration/docker/standins.sh'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CONTAINER_ENGINE: engine.name },
  });
  return { kind: 'stand-ins', images: STANDINS };
}

/**
 * The arguments of `<engine> build` for the example app (examples/api) on the given base images, tagged `tag`:
 * host network for npm and NuGet (podman-compose ignores a compose file's `build.network`).
 */
export function appImageArgs(engine, images, tag) {
  return [
    'build',
    ...engine.buildFlags,
    '--network',
    'host',
    '--build-arg',
    `SDK_IMAGE=${images.SDK_IMAGE}`,
    '--build-arg',
    `ASPNET_IMAGE=${images.ASPNET_IMAGE}`,
    '-t',
    tag,
    '-f',
    'examples/api/Dockerfile',
    '.',
  ];
}

/** True when this machine runs arm64 binaries: natively, or through qemu registered with binfmt_misc. */
export function runsArm64() {
  if (process.arch === 'arm64') return true;
  try {
    return fs.readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').startsWith('enabled');
  } catch {
    return false;
  }
}

/**
 * Builds the image for a platform and returns its tag. linux/amd64 is built on this machine's own
 * engine; linux/arm64 on an amd64 machine runs its last stages under emulation: the bundle is built on
 * the amd64 build image (JavaScript is the same everywhere), and the warm stage runs the arm64 Node, so
 * the code caches are made by the Node that will read them.
 */
export function buildImage({ platform = 'linux/amd64', log = () => {}, engine = containerEngine() } = {}) {
  if (platform !== 'linux/amd64' && platform !== 'linux/arm64')
    throw new Error(`unsupported platform ${platform}: use linux/amd64 or linux/arm64`);
  if (platform === 'linux/arm64' && !runsArm64()) {
    throw new Error(
      'arm64 binaries cannot run on this machine: run `sudo bash test/integration/docker/setup-arm64.sh` ' +
        '(qemu-user-static and binfmt) first',
    );
  }
  const { kind, images } = chooseBaseImages({ log, engine });
  const tag = imageTag(platform);
  let nodeImage = images.NODE_IMAGE;
  if (platform === 'linux/arm64' && process.arch !== 'arm64') {
    if (kind === 'official' && engine.name === 'docker') {
      // A registry is there: let BuildKit do it, pulling the arm64 variants of the bases.
      log(`building ${tag} with docker buildx for linux/arm64`);
      run(
        'docker',
        ['buildx', 'build', '--platform', 'linux/arm64', '--load', '--build-arg', `VERSION=${VERSION}`, '-t', tag, '.'],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      return { tag, images, engine };
    }
    run('bash', ['test/integration/docker/standins.sh', 'arm64'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CONTAINER_ENGINE: engine.name },
    });
    nodeImage = 'kcs-standin/node:24-arm64';
  }
  log(`building ${tag} from ${nodeImage} with ${engine.name}`);
  run(engine.cli, [
    'build',
    ...engine.buildFlags,
    '--network',
    'host',
    '--build-arg',
    `BUILD_IMAGE=${images.BUILD_IMAGE}`,
    '--build-arg',
    `NODE_IMAGE=${nodeImage}`,
    '--build-arg',
    `VERSION=${VERSION}`,
    '-t',
    tag,
    '.',
  ]);
  return { tag, images: { ...images, NODE_IMAGE: nodeImage }, engine };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--platform');
  const platform = at >= 0 ? args[at + 1] : 'linux/amd64';
  try {
    const { tag } = buildImage({ platform, log: (m) => console.log(m), engine: containerEngine() });
    console.log(`built ${tag}`);
  } catch (err) {
    console.error(`image: ${err.message}`);
    process.exit(1);
  }
}
