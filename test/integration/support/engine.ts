// The container engines the integration tests drive (scripts/engine.mjs picks one for the scripts): the
// engine's CLI as a checked command, Podman's rootless user, and what each needs to be there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PODMAN_SOCKET } from '../../../scripts/engine.mjs';
import { ROOT } from './env.js';

export { PODMAN_SOCKET };
/** The command that installs and starts Podman here (the API socket and the rootless user included). */
export const ENABLE_PODMAN = 'sudo bash test/integration/docker/setup-podman.sh';
/** The rootless user setup-podman.sh prepares. */
export const ROOTLESS_USER = process.env.KCS_ROOTLESS_USER ?? 'kcs-rootless';

export interface Ran {
  code: number | null;
  out: string;
  stdout: string;
}

/** Runs a command; its exit code and output (never throws). */
export function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Ran {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: opts.env ?? process.env,
    maxBuffer: 64 << 20,
    timeout: opts.timeout ?? 600_000,
  });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
}

/** Runs a command and returns its stdout; throws with the end of its output when it fails. */
export function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): string {
  const r = exec(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.out.slice(-4000)}`);
  return r.stdout;
}

/** Why Podman's API socket does not answer, or undefined when it does. */
export function missingPodmanSocket(): string | undefined {
  const r = exec('curl', ['-sf', '--unix-socket', PODMAN_SOCKET.slice('unix://'.length), 'http://d/_ping']);
  return r.code === 0 ? undefined : `Podman's API socket ${PODMAN_SOCKET} does not answer`;
}

/** The rootless user's uid, home and environment for Podman (XDG_RUNTIME_DIR made by setup-podman.sh). */
export function rootless() {
  const uid = Number(sh('id', ['-u', ROOTLESS_USER]).trim());
  const home = sh('getent', ['passwd', ROOTLESS_USER]).split(':')[5]!;
  const env = [`XDG_RUNTIME_DIR=/run/user/${uid}`, `HOME=${home}`, 'PATH=/usr/local/bin:/usr/bin:/bin'];
  /** A command as the rootless user, from a directory that user can enter. */
  const run = (cmd: string, args: string[]) =>
    exec('runuser', ['-u', ROOTLESS_USER, '--', 'env', ...env, cmd, ...args]);
  /** The first host uid of the user's subordinate range: container uid N > 0 is host uid start + N - 1. */
  const subuidStart = Number(
    fs
      .readFileSync('/etc/subuid', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${ROOTLESS_USER}:`))!
      .split(':')[1],
  );
  return { uid, home, run, subuidStart };
}

/** Copies an image from rootful Podman's storage into the rootless user's (podman save | podman load). */
export function copyImageToRootless(image: string): void {
  const tar = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-image-')), 'image.tar');
  sh('podman', ['save', '-o', tar, image]);
  fs.chmodSync(path.dirname(tar), 0o755);
  fs.chmodSync(tar, 0o644);
  const r = rootless().run('podman', ['load', '-i', tar]);
  fs.rmSync(path.dirname(tar), { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`podman load as ${ROOTLESS_USER} failed:\n${r.out}`);
}
