// `watch` must never die of a timer or a callback: a failure in any of them is logged, counted and
// survived. Each path is made to throw through its test seam, and the real failures of the review
// are reproduced: a volume remounted read-only under the clean-up (R1), a thousand slow health
// connections under a descriptor limit (R2), a spawn that fails, and two writers on one output (R5).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sidecar/settings/config.js';
import { MAX_CONNECTIONS } from '../../sidecar/watch/health.js';
import { inProcess, startWatch, type FaultPoint, type Publisher, type Watcher } from '../../sidecar/watch/watch.js';
import { publishedSha, readFixture, until as untilIn } from '../support/helpers.js';
import { needsRoot } from '../support/skips.js';

const until = <T>(fn: () => T | undefined | false, what: string, ms = 20_000) => untilIn(fn, what, ms);

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-wf-'));

const fp = (leaf: string) => new crypto.X509Certificate(readFixture(`${leaf}.crt`)).fingerprint256;
const pair = (leaf: string) => Buffer.concat([readFixture(`${leaf}.key`), readFixture(`${leaf}.crt`)]);

/** A source directory holding a P-256 PEM pair, and an output beside it. */
function pemSource() {
  const d = tmp();
  const src = path.join(d, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'server.pem'), pair('p256'));
  return { src, out: path.join(d, 'out') };
}

/** `watch` of the CLI on `src`, under a limit of `nofile` descriptors when given; `log()` is its stderr so far. */
function watchCli(src: string, out: string, nofile?: number) {
  const args = [BIN, 'watch', '--source', src, '--output', out, '--health-port', '0', '--hostnames', 'localhost'];
  const child =
    nofile === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn('prlimit', [`--nofile=${nofile}:${nofile}`, process.execPath, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
  let text = '';
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  return { child, log: () => text };
}

/** The real publisher, with the timers it asks for brought forward, so a test need not wait 10 s. */
const soon =
  (base: Publisher, ms = 200): Publisher =>
  async (req) => {
    const r = await base(req);
    if (!r.ok) return r;
    const at = new Date(Date.now() + ms).toISOString();
    return { ...r, renewAt: at, cleanupAt: at };
  };

let watchers: Watcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.map((w) => w.stop()));
  watchers = [];
});

describe('no timer or callback can end watch', () => {
  it('every path made to throw is logged and survived, and the sidecar works on once the fault is gone', async () => {
    const d = tmp();
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
    const calls: Partial<Record<FaultPoint, number>> = {};
    let broken = true;
    const points: FaultPoint[] = ['cleanup', 'relink', 'rescan', 'renewal', 'retry', 'health'];
    const faults = Object.fromEntries(
      points.map((p) => [
        p,
        () => {
          calls[p] = (calls[p] ?? 0) + 1;
          if (broken) throw new Error(`injected ${p} fault`);
        },
      ]),
    );
    let publishes = 0;
    const publisher: Publisher = async (req) => {
      publishes++;
      if (publishes === 2) throw new Error('the publish broke'); // makes the retry path run
      return soon(inProcess)(req);
    };
    const cfg = loadConfig(
      {
        KCS_HEALTH_PORT: '0',
        KCS_OUTPUT: path.join(d, 'out'),
        KCS_STATE: path.join(d, 'state'),
        KCS_OWNER: `${process.getuid!()}:${process.getgid!()}`,
      },
      ['watch'],
    );
    const w = await startWatch(cfg, io, { publisher, faults, rescanMs: 150 });
    watchers.push(w);
    const port = (w.server!.address() as { port: number }).port;
    await w.trigger('change'); // the second publish breaks: a retry is scheduled
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(503);
    for (const p of points) await until(() => (calls[p] ?? 0) > 0, `the ${p} path to run`);
    for (const p of points.filter((x) => x !== 'health')) {
      expect(lines.join('')).toContain(`warning: ${p}: injected ${p} fault; the sidecar keeps running\n`);
    }
    expect(lines.join('')).toContain('error: change: the publish broke; kept the last good set\n');
    // Lift the faults: the same process serves and publishes again.
    broken = false;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await w.trigger('change');
    expect(w.state.degraded).toBe(false);
    expect(w.state.failures).toBeGreaterThanOrEqual(points.length);
  });

  it('R2: a publish worker that cannot be spawned (EMFILE) is a failed attempt, retried, not a crash', async () => {
    const { src, out } = pemSource();
    // 48 descriptors: watch idles on about 25; the slow connections below take the rest.
    const { child, log } = watchCli(src, out, 48);
    try {
      const port = Number((await until(() => /health on :(\d+)/.exec(log()), 'watch to start'))![1]);
      await until(() => publishedSha(out) === fp('p256'), 'the first publish');
      const sockets = Array.from({ length: MAX_CONNECTIONS }, () =>
        net.connect(port, '127.0.0.1').on('error', () => undefined),
      );
      await until(() => sockets.filter((s) => s.readyState === 'open').length >= 20, 'the connections');
      fs.writeFileSync(path.join(src, 'server.pem'), pair('p384'));
      await until(
        () => /cannot start the publish worker .*EMFILE.*; kept the last good set/.test(log()),
        'a spawn to fail for want of descriptors',
      );
      // The connections time out (5 s); the retry then has its descriptors and publishes.
      await until(() => publishedSha(out) === fp('p384'), 'the retry to publish', 30_000);
      expect(child.exitCode).toBe(null);
      for (const s of sockets) s.destroy();
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.runIf(needsRoot('watch on a volume remounted read-only'))(
    'R1: a volume remounted read-only under the clean-up is logged, and watch stays up',
    async () => {
      const m = tmp();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', m]);
      try {
        const src = path.join(tmp(), 'src');
        fs.mkdirSync(src);
        fs.writeFileSync(path.join(src, 'server.pem'), pair('p256'));
        const lines: string[] = [];
        const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
        const cfg = loadConfig({ KCS_HEALTH_PORT: '0', KCS_OUTPUT: m, KCS_SOURCE: src, KCS_HOSTNAMES: 'localhost' }, [
          'watch',
        ]);
        const w = await startWatch(cfg, io, { publisher: soon(inProcess, 1500) });
        watchers.push(w);
        fs.writeFileSync(path.join(src, 'server.pem'), pair('p384'));
        await until(() => publishedSha(m) === fp('p384'), 'the second publish');
        execFileSync('mount', ['-o', 'remount,ro', m]);
        await until(
          () => lines.some((l) => /warning: cleanup: .*EROFS.*; the sidecar keeps running/.test(l)),
          'the clean-up to meet the read-only volume',
        );
        expect(publishedSha(m)).toBe(fp('p384'));
      } finally {
        spawnSync('umount', [m]);
      }
    },
  );
});

describe('R2: slow health connections cannot starve watch of descriptors', () => {
  it(`ulimit -n 1024, 1000 slow connections: ${MAX_CONNECTIONS} open at most, none past 5 s; publishes`, async () => {
    const { src, out } = pemSource();
    const { child, log } = watchCli(src, out, 1024);
    try {
      const port = Number((await until(() => /health on :(\d+)/.exec(log()), 'watch to start'))![1]);
      const sockets: net.Socket[] = [];
      const closedAt: number[] = [];
      const t0 = Date.now();
      for (let i = 0; i < 1000; i++) {
        const s = net.connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.on('close', () => closedAt.push(Date.now() - t0));
        sockets.push(s);
      }
      const trickle = setInterval(() => {
        for (const s of sockets) if (!s.destroyed) s.write('G');
      }, 3000);
      try {
        await until(() => closedAt.length >= 1000 - MAX_CONNECTIONS, 'connections over the cap to be refused');
        // While the ones inside the cap are held: a change is published (the worker spawns).
        fs.writeFileSync(path.join(src, 'server.pem'), pair('p384'));
        await until(() => publishedSha(out) === fp('p384'), 'the publish during the flood');
        await until(() => closedAt.length === 1000, 'every slow connection to be closed', 15_000);
        expect(Math.max(...closedAt)).toBeLessThan(5000 + 3000);
      } finally {
        clearInterval(trickle);
        for (const s of sockets) s.destroy();
      }
      expect(child.exitCode).toBe(null);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(r.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('R5: two writers on one output', () => {
  it('two watch processes on one output: a reader through ..data never meets a missing file', async () => {
    const { src, out } = pemSource();
    const wa = watchCli(src, out);
    const wb = watchCli(src, out);
    const [a, b] = [wa.child, wb.child];
    await until(() => publishedSha(out) === fp('p256'), 'the first publish', 60_000);
    const reader = spawn(process.execPath, [path.resolve('test/support/reader.mjs'), out, 'consistent'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let report = '';
    reader.stdout.on('data', (x: Buffer) => (report += x));
    try {
      for (let i = 0; i < 6; i++) {
        const leaf = i % 2 ? 'p256' : 'p384';
        fs.writeFileSync(path.join(src, 'server.pem'), pair(leaf));
        // Rotation 0 is written as the watchers start: it once waited for the 60 s rescan (a change
        // before the file watcher is ready was not seen; startWatch now rescans once when ready).
        // The logs of both go with a time-out, to tell a missed file event from a stall.
        await until(() => publishedSha(out) === fp(leaf), `rotation ${i}`, 45_000).catch((err: Error) => {
          throw new Error(`${err.message}\n--- watch a ---\n${wa.log()}\n--- watch b ---\n${wb.log()}`);
        });
      }
    } finally {
      const done = new Promise((r) => reader.on('exit', r));
      reader.kill('SIGTERM');
      await done;
      a.kill('SIGTERM');
      b.kill('SIGTERM');
    }
    const r = JSON.parse(report) as { checks: number; failures: string[] };
    expect(r.checks).toBeGreaterThan(100);
    expect(r.failures).toEqual([]);
  }, 900_000);
});
