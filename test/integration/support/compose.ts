// compose.example.yml driven by one compose tool (docker compose, Compose v2 on Podman's socket,
// podman-compose), as the compose tests of each engine use it: its containers' states read back through
// the engine, whichever tool made them.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ContainerEngine } from '../../../scripts/engine.mjs';
import type { BaseImages } from '../../../scripts/image.mjs';
import { FIXTURES } from './env.js';
import { exec, sh, type Ran } from './engine.js';

export const COMPOSE_FILES = ['-f', 'compose.example.yml', '-f', 'test/integration/docker/compose.standins.yml'];

export interface ContainerState {
  service: string;
  status: string;
  exitCode: number;
}

/** A compose project of compose.example.yml on one engine and compose tool, with its own ./certs. */
export function composeProject(engine: ContainerEngine, project: string, images: BaseImages, certsDir: string) {
  const env = { ...process.env, ...images, ...engine.compose.env, CERTS_DIR: certsDir, KCS_TEST_CERTS: certsDir };
  const compose = (args: string[], extraEnv: Record<string, string> = {}): Ran =>
    exec(engine.compose.cmd, [...engine.compose.args, '-p', project, ...COMPOSE_FILES, ...args], {
      env: { ...env, ...extraEnv },
    });
  /** Every container of the project, by service, as the engine reports it (both tools set this label). */
  const states = (): ContainerState[] => {
    const ids = sh(engine.cli, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])
      .trim()
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    return sh(engine.cli, [
      'inspect',
      '-f',
      '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.State.ExitCode}}',
      ...ids,
    ])
      .trim()
      .split('\n')
      .map((l) => {
        const [service, status, code] = l.split(' ');
        return { service: service!, status: status!, exitCode: Number(code) };
      });
  };
  const down = () => {
    const args = engine.compose.tool === 'podman-compose' ? ['down', '-v'] : ['--profile', 'sidecar', 'down', '-v'];
    compose(args);
    // podman-compose 1.0.3 leaves `run --rm` leftovers and volumes of services it did not start.
    const ids = exec(engine.cli, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).stdout;
    const left = ids.trim().split('\n').filter(Boolean);
    if (left.length) exec(engine.cli, ['rm', '-f', ...left]);
    const vols = exec(engine.cli, ['volume', 'ls', '-q']).stdout.split('\n');
    const ours = vols.filter((v) => v.startsWith(`${project}_`));
    if (ours.length) exec(engine.cli, ['volume', 'rm', '-f', ...ours]);
  };
  return { env, compose, states, down };
}

/** A ./certs with a PFX and a password.txt that does not open it: `certs` must exit 4 (PASSWORD_WRONG). */
export function wrongPasswordCerts(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-compose-bad-'));
  fs.chmodSync(dir, 0o755);
  fs.copyFileSync(path.join(FIXTURES, 'openssl3-default.pfx'), path.join(dir, 'api.pfx'));
  fs.chmodSync(path.join(dir, 'api.pfx'), 0o644);
  fs.writeFileSync(path.join(dir, 'password.txt'), 'not-the-password', { mode: 0o644 });
  return dir;
}

/** An empty ./certs (the sidecar generates) with an empty password.txt. */
export function emptyCerts(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-compose-certs-'));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'password.txt'), '', { mode: 0o644 });
  return dir;
}

/** Waits until every named service has a container that has exited; their states. */
export async function waitExited(states: () => ContainerState[], services: string[], ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    const now = states();
    const done = services.every((s) => now.some((c) => c.service === s && c.status === 'exited'));
    if (done) return now;
    if (Date.now() > end) throw new Error(`not all of ${services.join(', ')} exited: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
