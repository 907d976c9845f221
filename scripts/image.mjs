#!/usr/bin/env node
// Builds the image: `npm run image` (linux/amd64, the machine's own) or `npm run image -- --platform linux/arm64`.
// With the official base images when they are here or a registry gives them, else with local stand-ins
// (test/integration/docker/standins.sh, built on demand), and says which. STANDIN_IMAGES=1 forces the stand-ins.
// Tags: kestrel-cert-sidecar:<version> (amd64) and kestrel-cert-sidecar:<version>-arm64.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
export const OFFICIAL = { BUILD_IMAGE: 'node:24-bookworm-slim', NODE_IMAGE: 'gcr.io/distroless/nodejs24-debian12:nonroot', SDK_IMAGE: 'mcr.microsoft.com/dotnet/sdk:10.0', ASPNET_IMAGE: 'mcr.microsoft.com/dotnet/aspnet:10.0' };
export const STANDINS = { BUILD_IMAGE: 'kcs-standin/node-build:24', NODE_IMAGE: 'kcs-standin/node:24', SDK_IMAGE: 'kcs-standin/sdk:10.0', ASPNET_IMAGE: 'kcs-standin/aspnet:10.0' };

/** The tag of the image for a platform. */
export function imageTag(platform = 'linux/amd64') {
  return platform === 'linux/arm64' ? `kestrel-cert-sidecar:${VERSION}-arm64` : `kestrel-cert-sidecar:${VERSION}`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  return r.stdout ?? '';
}

/** The official base images where each can be had (present, or pulled within 30 s), else the local stand-ins. */
export function chooseBaseImages({ log = () => {} } = {}) {
  const have = (img) => spawnSync('docker', ['image', 'inspect', img], { stdio: 'ignore' }).status === 0 || spawnSync('docker', ['pull', '-q', img], { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (process.env.STANDIN_IMAGES !== '1' && Object.values(OFFICIAL).every(have)) {
    log('base images: the official ones (a registry answered, or they are here already)');
    return { kind: 'official', images: OFFICIAL };
  }
  log('base images: local stand-ins (no registry answered; STANDIN_IMAGES=1 forces them), built from Debian packages and this machine\'s Node and .NET');
  run('bash', ['test/integration/docker/standins.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
  return { kind: 'stand-ins', images: STANDINS };
}

/** Builds the image for a platform and returns its tag. */
export function buildImage({ platform = 'linux/amd64', log = () => {} } = {}) {
  if (platform !== 'linux/amd64') throw new Error(`unsupported platform ${platform}: this build makes linux/amd64; see docs/image.md for arm64`);
  const { images } = chooseBaseImages({ log });
  const tag = imageTag(platform);
  log(`building ${tag} from ${images.NODE_IMAGE}`);
  run('docker', ['build', '--network', 'host', '--build-arg', `BUILD_IMAGE=${images.BUILD_IMAGE}`, '--build-arg', `NODE_IMAGE=${images.NODE_IMAGE}`, '--build-arg', `VERSION=${VERSION}`, '-t', tag, '.']);
  return { tag, images };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--platform');
  const platform = at >= 0 ? args[at + 1] : 'linux/amd64';
  try {
    const { tag } = buildImage({ platform, log: (m) => console.log(m) });
    console.log(`built ${tag}`);
  } catch (err) {
    console.error(`image: ${err.message}`);
    process.exit(1);
  }
}
