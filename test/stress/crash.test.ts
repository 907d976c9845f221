// Crash consistency: the publisher is killed (SIGKILL) at random moments while it publishes as fast
// as it can. Meanwhile a reader in another process checks that tls.crt, tls.key and cert.pfx always
// belong together and parse. After each kill, a restart converges to a correct set, with no
// generation newer than the live one and no temporary links left behind.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, until } from '../support/helpers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const TRIALS = Number(process.env.CRASH_TRIALS ?? 60);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A seeded generator (an LCG), so a failing trial can be run again as it was. */
let seed = Number(process.env.CRASH_SEED ?? 0x2f6b1c3d);
const random = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % n;
};

describe('kill -9 during publishes', () => {
  it(`converges after ${TRIALS} kills, and readers never see a torn set`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-crash-'));
    const out = path.join(dir, 'out');
    const [srcA, srcB] = ['rsa2048', 'p256'].map((leaf) => {
      const f = path.join(dir, `${leaf}.pem`);
      fs.writeFileSync(
        f,
        Buffer.concat([
          fs.readFileSync(fixture(`${leaf}.key`)),
          fs.readFileSync(fixture(`${leaf}.crt`)),
          fs.readFileSync(fixture('chain.crt')),
        ]),
      );
      return f;
    });
    const owner = ['--owner', `${process.getuid!()}:${process.getgid!()}`];
    expect(spawnSync(process.execPath, [BIN, 'init', '--source', srcA!, '--output', out, ...owner]).status).toBe(0);

    const reader = spawn(process.execPath, [path.resolve('test/support/reader.mjs'), out, 'consistent', '--pfx'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report = '';
    reader.stdout.on('data', (d) => (report += d));
    const readerDone = new Promise<void>((r) => reader.on('exit', () => r()));

    let publishes = 0;
    const problems: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const p = spawn(process.execPath, [path.resolve('test/support/publisher.mjs'), out, srcA!, srcB!], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let lines = '';
      p.stdout.on('data', (d) => (lines += d));
      const exited = new Promise<void>((r) => p.on('exit', () => r()));
      // Killed at a random moment (seeded) after its first publish: the count of publishes does not
      // depend on the machine's speed, and every trial interrupts a publisher that is publishing.
      await until(() => lines.includes('\n'), `trial ${trial}: a first publish`, 60_000);
      await sleep(random(120));
      p.kill('SIGKILL');
      await exited;
      publishes += lines.split('\n').filter(Boolean).length;

      // restart: one init must converge to a correct set and clear what the kill left
      const r = spawnSync(
        process.execPath,
        [BIN, 'init', '--source', trial % 2 ? srcA! : srcB!, '--output', out, ...owner],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) problems.push(`trial ${trial}: restart exited ${r.status}: ${r.stderr}`);
      const live = fs.readlinkSync(path.join(out, '..data'));
      const names = fs.readdirSync(out);
      const newer = names.filter((n) => /^\.\.\d/.test(n) && n > live);
      const temps = names.filter((n) => n.endsWith('_tmp'));
      if (newer.length || temps.length) problems.push(`trial ${trial}: left behind ${[...newer, ...temps].join(', ')}`);
      const cert = new crypto.X509Certificate(fs.readFileSync(path.join(out, 'tls.crt')));
      if (!cert.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(path.join(out, 'tls.key')))))
        problems.push(`trial ${trial}: the restarted set does not match`);
    }
    reader.kill('SIGTERM');
    await readerDone;
    const r = JSON.parse(report);
    console.log(
      `kill-and-restart trials: ${TRIALS}, publishes interrupted or completed: ` +
        `${publishes}, reader checks: ${r.checks}, failures: ${r.failures.length + problems.length}`,
    );
    expect(problems).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(publishes).toBeGreaterThanOrEqual(TRIALS);
    expect(r.checks).toBeGreaterThan(1000);
  });
});
