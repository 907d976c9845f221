// The hostile-volume race: an attacker running as uid 1654 (the app with a forgotten :ro, or a
// co-tenant) watches the output with inotify and, on every event, swaps new generation directories
// for symlinks to a victim directory, swaps in a ..data of its own whose cert.password links to a
// secret, plants temporary links and a lock of its own (a directory at ..kcs.lock), while the sidecar
// publishes thousands of changed sets.
// Nothing may land in the victim, no secret may be published, and every publish must end cleanly.
// Needs root (to run the attacker as another uid), as CI runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/helpers.js';
import { needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const ATTACKER = path.resolve('test/stress/support/attacker.mjs');
const LOOP = path.resolve('test/stress/support/publish-loop.mjs');
const PUBLISHES = Number(process.env.RACE_PUBLISHES ?? 2000);
const APP = 1654;

interface Counts {
  events: number;
  swapTried: number;
  swapDone: number;
  dataTried: number;
  dataDone: number;
  tmpTried: number;
  tmpDone: number;
  lockTried: number;
  lockDone: number;
}

function secretBody(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('')
    .slice(0, 40);
}

function liveBytes(out: string): string {
  const gen = fs.realpathSync(path.join(out, '..data'));
  expect(path.dirname(gen)).toBe(fs.realpathSync(out));
  const walk = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  return walk(gen)
    .map((f) => fs.readFileSync(f, 'latin1').replace(/\n/g, ''))
    .join('\n');
}

/** Runs the attacker as uid 1654 during `publishes` publishes by `asUid`, and returns both reports. */
async function race(opts: {
  asUid: number;
  publishes: number;
  out: string;
  state: string;
  victim: string;
  secret: string;
}) {
  const attacker = spawn(process.execPath, [ATTACKER, opts.out, opts.victim, opts.secret], {
    uid: APP,
    gid: APP,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  attacker.stdout.on('data', (b: Buffer) => (said += b.toString()));
  await new Promise<void>((resolve, reject) => {
    attacker.on('exit', () => reject(new Error(`the attacker ended early: ${said}`)));
    const check = setInterval(() => {
      if (said.includes('ready\n')) {
        clearInterval(check);
        resolve();
      }
    }, 10);
  });
  const sources = [fixture('pem-pkcs8'), fixture('k8s-secret')];
  const loop = spawnSync(process.execPath, [LOOP, opts.out, opts.state, String(opts.publishes), ...sources], {
    uid: opts.asUid,
    gid: opts.asUid === 0 ? 0 : APP,
    encoding: 'utf8',
    timeout: 600_000,
  });
  attacker.removeAllListeners('exit');
  const ended = new Promise<void>((r) => attacker.on('exit', () => r()));
  attacker.kill('SIGTERM');
  await ended;
  expect(loop.stderr).toBe('');
  const result = JSON.parse(loop.stdout) as { ok: number; failed: Record<string, number>; other: string[] };
  const counts = JSON.parse(said.split('\n').filter(Boolean).at(-1)!) as Counts;
  return { result, counts };
}

function setUp(owner: number) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-race-'));
  fs.chmodSync(d, 0o755);
  const out = path.join(d, 'out');
  const state = path.join(d, 'state');
  const victim = path.join(d, 'victim');
  fs.mkdirSync(out, { mode: 0o777 });
  fs.chmodSync(out, 0o777);
  fs.chownSync(out, APP, APP);
  fs.mkdirSync(victim, { mode: 0o700 });
  fs.chownSync(victim, owner, owner);
  fs.mkdirSync(state, { mode: 0o700 });
  fs.chownSync(state, owner, owner);
  // The secret: the development CA key in KCS_STATE, made by a first run as the sidecar's uid.
  fs.mkdirSync(path.join(d, 'first'));
  fs.chownSync(path.join(d, 'first'), owner, owner);
  const first = spawnSync(process.execPath, [BIN, 'init', '--output', path.join(d, 'first'), '--state', state], {
    uid: owner,
    gid: owner === 0 ? 0 : APP,
    encoding: 'utf8',
    cwd: d,
  });
  expect(first.status, first.stderr).toBe(0);
  return { d, out, state, victim, secret: path.join(state, 'ca', 'ca.key') };
}

describe.runIf(needsRoot('the hostile-volume race (an attacker as uid 1654)'))(
  'an attacker as uid 1654 races thousands of publishes',
  () => {
    it(`as root: ${PUBLISHES} publishes, nothing written outside the output, no secret published`, async () => {
      const s = setUp(0);
      const victimBefore = fs.statSync(s.victim);
      const { result, counts } = await race({ asUid: 0, publishes: PUBLISHES, ...s });
      console.log(`hostile race as root: ${result.ok} publishes; attacker: ${JSON.stringify(counts)}`);
      expect(result).toEqual({ ok: PUBLISHES, failed: {}, other: [] });
      // The attacker really ran and tried every attack, and the kernel refused each one.
      expect(counts.events).toBeGreaterThan(PUBLISHES);
      expect(counts.swapTried).toBeGreaterThan(PUBLISHES / 2);
      expect(counts.dataTried).toBeGreaterThan(0);
      expect(counts.tmpTried).toBeGreaterThan(0);
      expect(counts.lockTried).toBeGreaterThan(0);
      const { swapDone, dataDone, tmpDone, lockDone } = counts;
      expect({ swapDone, dataDone, tmpDone, lockDone }).toEqual({ swapDone: 0, dataDone: 0, tmpDone: 0, lockDone: 0 });
      const victim = fs.statSync(s.victim);
      expect(fs.readdirSync(s.victim)).toEqual([]);
      expect({ uid: victim.uid, mode: victim.mode }).toEqual({ uid: victimBefore.uid, mode: victimBefore.mode });
      expect(liveBytes(s.out)).not.toContain(secretBody(s.secret));
    });

    it('as the attacker uid: nothing written outside the output, no secret published, clear failures', async () => {
      const s = setUp(APP);
      const victimBefore = fs.statSync(s.victim);
      const publishes = Math.max(100, Math.round(PUBLISHES / 4));
      const { result, counts } = await race({ asUid: APP, publishes, ...s });
      console.log(`hostile race as uid 1654: ${JSON.stringify(result)}; attacker: ${JSON.stringify(counts)}`);
      expect(result.other).toEqual([]);
      // The attacker has the sidecar's own rights here: it can break a publish (a denial of service
      // it could do anyway by deleting files), but only as a clear OUTPUT_NOT_WRITABLE, or OUTPUT_LOCKED
      // at once while its own lock stands (never a wait for a lock that is not one).
      const clear = ['OUTPUT_NOT_WRITABLE', 'OUTPUT_LOCKED'];
      expect(Object.keys(result.failed).filter((c) => !clear.includes(c))).toEqual([]);
      expect(result.ok).toBeGreaterThan(0);
      expect(counts.swapDone + counts.dataDone).toBeGreaterThan(0);
      const victim = fs.statSync(s.victim);
      expect(fs.readdirSync(s.victim)).toEqual([]);
      expect({ uid: victim.uid, mode: victim.mode }).toEqual({ uid: victimBefore.uid, mode: victimBefore.mode });
      // Once the attacker stops, the next publish repairs whatever it left, and publishes no secret.
      const after = spawnSync(
        process.execPath,
        [BIN, 'init', '--output', s.out, '--state', s.state, '--source', fixture('pem-pkcs8')],
        { uid: APP, gid: APP, encoding: 'utf8', cwd: s.d },
      );
      expect(after.status, after.stderr).toBe(0);
      expect(liveBytes(s.out)).not.toContain(secretBody(s.secret));
    });
  },
);
