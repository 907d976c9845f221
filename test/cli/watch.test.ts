// `watch` on real directories with a real file-system watcher: Kubernetes ..data swaps, copies in two
// steps, bursts of changes, a bad source then a fix, and a reader in another process that must never
// see a mismatched pair, a missing file or a partial file.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sidecar/settings/config.js';
import { fingerprint, startWatch, workerPublisher, type Publisher, type Watcher } from '../../sidecar/watch/watch.js';
import { PASS, fixture, publishedSha, readFixture, until } from '../support/helpers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const WORKER = path.resolve('dist/publish-worker.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-watch-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fp = (leaf: string) => new crypto.X509Certificate(readFixture(`${leaf}.crt`)).fingerprint256;
const bundle = (leaf: string) =>
  Buffer.concat([
    readFixture(`${leaf}.key`),
    readFixture(`${leaf}.crt`),
    readFixture('inter.crt'),
    readFixture('root.crt'),
  ]);
const LEAVES = ['rsa2048', 'p256', 'p384', 'rsa4096'];

/** Writes a file the way a careful tool does: to a temporary name, then rename. */
const put = (file: string, data: Buffer | string) => {
  fs.writeFileSync(`${file}.part`, data);
  fs.renameSync(`${file}.part`, file);
};

/** What one watcher printed: each watcher gets its own, so a test reads only its own run's lines. */
function newIo() {
  const io = {
    lines: [] as string[],
    out: (s: string) => void io.lines.push(s),
    err: (s: string) => void io.lines.push(s),
  };
  return io;
}
let watchers: Watcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.map((w) => w.stop()));
  watchers = [];
});

async function watchWith(env: Record<string, string>, publisher?: Publisher) {
  const cfg = loadConfig({ KCS_HEALTH_PORT: '0', KCS_OWNER: `${process.getuid!()}:${process.getgid!()}`, ...env }, [
    'watch',
  ]);
  const io = newIo();
  const w = await startWatch(cfg, io, publisher ? { publisher } : {});
  watchers.push(w);
  const port = (w.server!.address() as { port: number }).port;
  const get = async (p: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${p}`);
    return { status: r.status, text: await r.text() };
  };
  return { w, cfg, get, io };
}
const watch = (env: Record<string, string>) => watchWith(env);

// The library publishes in its own process; the CLI in a worker process per publish (dist/publish-worker.mjs).
const PUBLISHERS: [string, Publisher | undefined][] = [
  ['in this process', undefined],
  ['in worker processes, as the CLI does', workerPublisher(WORKER)],
];

describe.each(PUBLISHERS)('watch keeps the published set current, publishing %s', (_how, publisher) => {
  const watch = (env: Record<string, string>) => watchWith(env, publisher);
  it('follows a Kubernetes-style ..data swap', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    const gen = (name: string, leaf: string) => {
      fs.mkdirSync(path.join(src, name));
      fs.writeFileSync(
        path.join(src, name, 'tls.crt'),
        Buffer.concat([readFixture(`${leaf}.crt`), readFixture('inter.crt')]),
      );
      fs.writeFileSync(path.join(src, name, 'tls.key'), readFixture(`${leaf}.key`));
      fs.writeFileSync(path.join(src, name, 'ca.crt'), readFixture('root.crt'));
    };
    gen('..2026_01_01_00_00_00.000000001', 'rsa2048');
    fs.symlinkSync('..2026_01_01_00_00_00.000000001', path.join(src, '..data'));
    for (const f of ['tls.crt', 'tls.key', 'ca.crt']) fs.symlinkSync(`..data/${f}`, path.join(src, f));
    await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    expect(publishedSha(out)).toBe(fp('rsa2048'));
    // what the kubelet does: a new timestamped directory, then rename ..data_tmp over ..data
    gen('..2026_01_02_00_00_00.000000001', 'p256');
    fs.symlinkSync('..2026_01_02_00_00_00.000000001', path.join(src, '..data_tmp'));
    fs.renameSync(path.join(src, '..data_tmp'), path.join(src, '..data'));
    fs.rmSync(path.join(src, '..2026_01_01_00_00_00.000000001'), { recursive: true });
    await until(() => publishedSha(out) === fp('p256'), 'the swapped secret to be published');
  });

  it('waits out a copy in two steps (the key first) without ever publishing a mismatched pair', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    put(
      path.join(src, 'tls.crt'),
      Buffer.concat([readFixture('rsa2048.crt'), readFixture('inter.crt'), readFixture('root.crt')]),
    );
    put(path.join(src, 'tls.key'), readFixture('rsa2048.key'));
    const { w } = await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    put(path.join(src, 'tls.key'), readFixture('p256.key'));
    await until(() => w.state.lastFinding?.code === 'KEY_MISMATCH', 'the mismatched pair to be seen and refused');
    expect(publishedSha(out)).toBe(fp('rsa2048'));
    put(
      path.join(src, 'tls.crt'),
      Buffer.concat([readFixture('p256.crt'), readFixture('inter.crt'), readFixture('root.crt')]),
    );
    await until(() => publishedSha(out) === fp('p256'), 'the completed copy to be published');
    await until(() => !w.state.degraded, 'recovery');
  });

  it('absorbs 200 rapid changes and publishes the last one', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    put(path.join(src, 'server.pem'), bundle(LEAVES[0]!));
    const { w } = await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    // The last of them is another certificate than the first: only a watcher that saw the changes publishes it.
    const last = LEAVES[199 % 4]!;
    expect(last).not.toBe(LEAVES[0]);
    for (let i = 0; i < 200; i++) put(path.join(src, 'server.pem'), bundle(LEAVES[i % 4]!));
    await until(() => publishedSha(out) === fp(last), 'the last change to be published');
    expect(w.state.publishes).toBeLessThan(200); // debounced, not one publish per event
    expect(w.state.failures).toBe(0);
  });

  it('keeps the last good set while the source is bad, reports degraded, and recovers by itself', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    put(path.join(src, 'server.pem'), bundle('rsa2048'));
    const { w, get, io } = await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    const before = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    put(path.join(src, 'server.pem'), bundle('rsa2048').subarray(0, 1500)); // a half-copied file
    await until(() => w.state.degraded, 'the bad source to be noticed');
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(w.state.lastFinding?.code).toBe('FILE_CORRUPT');
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.text).toMatch(
      new RegExp(
        /^ready, degraded: the last attempt failed \(FILE_CORRUPT cannot read .*\); the last good set /.source +
          /is still published\n$/.source,
      ),
    );
    expect(JSON.parse((await get('/status')).text)).toMatchObject({
      ready: true,
      degraded: true,
      lastFinding: { code: 'FILE_CORRUPT' },
    });
    expect((await get('/metrics')).text).toMatch(/^kcs_failed_attempts_total [1-9]\d*$/m);
    expect(io.lines.join('')).toMatch(/FILE_CORRUPT cannot read .*server\.pem: the PEM block .* \| fix: /);
    put(path.join(src, 'server.pem'), bundle('p384'));
    await until(() => publishedSha(out) === fp('p384') && !w.state.degraded, 'recovery after the fix');
    expect((await get('/readyz')).text).toBe('ready\n');
  });

  it('serves health, readiness, metrics and status without secrets', async () => {
    const out = path.join(tmp(), 'out');
    const secret = 'Health-Secret-9f2k';
    const { get } = await watch({
      KCS_OUTPUT: out,
      KCS_OUTPUT_PASSWORD: secret,
      KCS_STATE: path.join(tmp(), 'state'),
      KCS_VALIDITY: '30d',
    });
    expect(await get('/healthz')).toEqual({ status: 200, text: 'ok\n' });
    expect(await get('/readyz')).toEqual({ status: 200, text: 'ready\n' });
    const metrics = (await get('/metrics')).text;
    for (const m of [
      'kcs_certificate_expiry_seconds',
      'kcs_generation_info',
      'kcs_publishes_total 1',
      'kcs_failed_attempts_total 0',
      'kcs_last_success_timestamp_seconds',
      'kcs_ready 1',
    ])
      expect(metrics).toContain(m);
    const status = JSON.parse((await get('/status')).text);
    expect(status).toMatchObject({
      ready: true,
      degraded: false,
      publishes: 1,
      manifest: { sans: ['localhost', '127.0.0.1', '::1', 'host.docker.internal', 'host.containers.internal'] },
    });
    // a generated leaf is renewed at two-thirds of its lifetime: 20 of 30 days
    const renewIn = new Date(status.renewAt).getTime() - new Date(status.manifest.notBefore).getTime();
    expect(renewIn).toBe(20 * 86400e3);
    expect((await get('/nope')).status).toBe(404);
    for (const p of ['/healthz', '/readyz', '/metrics', '/status']) {
      const t = (await get(p)).text;
      for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')])
        expect(t).not.toContain(form);
    }
  });

  it('keeps the output password of the running app when the input password changes', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    const pwFile = path.join(tmp(), 'password');
    fs.copyFileSync(fixture('openssl3-default.pfx'), path.join(src, 'api.pfx'));
    put(pwFile, 'fixture-Pa55\n');
    await watch({ KCS_SOURCE: src, KCS_OUTPUT: out, KCS_PASSWORD_FILE: pwFile, KCS_KESTREL_FORMAT: 'pfx' });
    const env = fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8');
    expect(env).toContain('Password=fixture-Pa55');
    // the operator rotates to a PFX with another password (and another certificate)
    spawnSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      fixture('p256.key'),
      '-in',
      fixture('p256.crt'),
      '-certfile',
      fixture('chain.crt'),
      '-out',
      path.join(src, '.new.pfx'),
      '-passout',
      'pass:Another-Pa55',
    ]);
    put(pwFile, 'Another-Pa55\n');
    fs.renameSync(path.join(src, '.new.pfx'), path.join(src, 'api.pfx'));
    await until(() => publishedSha(out) === fp('p256'), 'the new PFX to be published');
    expect(fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8')).toBe(env);
  });
});

describe('the publish worker', () => {
  it('a worker that cannot run is a failed attempt: logged, counted, not ready, and retried', async () => {
    const out = path.join(tmp(), 'out');
    const { w, get, io } = await watchWith(
      { KCS_OUTPUT: out, KCS_STATE: path.join(tmp(), 'state') },
      workerPublisher(path.join(tmp(), 'missing-worker.mjs')),
    );
    expect(w.state.failures).toBeGreaterThanOrEqual(1);
    expect(w.state.generation).toBeUndefined();
    expect(fs.existsSync(path.join(out, '..data'))).toBe(false);
    expect((await get('/readyz')).status).toBe(503);
    expect(io.lines.join('')).toMatch(
      /start: the publish worker ended with exit code 1 and no report; kept the last good set/,
    );
  });

  it('sends the passwords through its stdin only: never in its command line or environment', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    fs.copyFileSync(fixture('openssl3-default.pfx'), path.join(src, 'api.pfx'));
    const spyDir = tmp();
    const spy = path.join(spyDir, 'spy.mjs');
    // A stand-in worker that records what it was started with, then runs the real one with the same stdin.
    fs.writeFileSync(
      spy,
      `import fs from 'node:fs'; ` +
        `fs.writeFileSync(${JSON.stringify(path.join(spyDir, 'seen.json'))}, ` +
        `JSON.stringify({ argv: process.argv, env: process.env })); await import(${JSON.stringify(WORKER)});`,
    );
    // As in a container: the settings, secrets included, are in the sidecar's environment.
    process.env.KCS_OUTPUT_PASSWORD = 'Out-Only-In-Pipe-7';
    try {
      await watchWith(
        { KCS_SOURCE: src, KCS_OUTPUT: out, KCS_PASSWORD: PASS, KCS_OUTPUT_PASSWORD: 'Out-Only-In-Pipe-7' },
        workerPublisher(spy),
      );
    } finally {
      delete process.env.KCS_OUTPUT_PASSWORD;
    }
    expect(publishedSha(out)).toBe(fp('rsa2048'));
    const seen = fs.readFileSync(path.join(spyDir, 'seen.json'), 'utf8');
    expect(seen).not.toContain('Out-Only-In-Pipe-7');
  });
});

describe('the rescan', () => {
  it('fingerprints the watched files: equal while nothing changed, different after any change', () => {
    const src = tmp();
    put(path.join(src, 'tls.crt'), readFixture('rsa2048.crt'));
    put(path.join(src, 'tls.key'), readFixture('rsa2048.key'));
    const a = fingerprint([src]);
    expect(fingerprint([src])).toBe(a);
    put(path.join(src, 'tls.key'), readFixture('rsa2048.key')); // same bytes, a new file (inode, times)
    const b = fingerprint([src]);
    expect(b).not.toBe(a);
    fs.symlinkSync('tls.crt', path.join(src, 'alias.crt'));
    expect(fingerprint([src])).not.toBe(b);
    expect(fingerprint([path.join(src, 'missing')])).toContain('ENOENT');
    // a dangling link and a link loop are recorded, never thrown
    fs.symlinkSync('nowhere', path.join(src, 'dangling'));
    fs.symlinkSync('loop', path.join(src, 'loop'));
    expect(() => fingerprint([src])).not.toThrow();
    expect(fingerprint([src])).toMatch(/loop:ELOOP/);
  });
});

describe('readers in other processes never see a torn set during rotations', () => {
  it('open tls.crt, tls.key and cert.pfx thousands of times: always complete, a matching pair', async () => {
    const src = tmp();
    const out = path.join(tmp(), 'out');
    put(path.join(src, 'server.pem'), bundle('rsa2048'));
    await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    const readers = ['consistent', 'naive'].map((mode) => {
      const p = spawn(process.execPath, [path.resolve('test/support/reader.mjs'), out, mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let report = '';
      p.stdout.on('data', (d) => (report += d));
      return { p, done: new Promise<void>((r) => p.on('exit', () => r())), report: () => JSON.parse(report) };
    });
    const seen = new Set<string>();
    for (let i = 1; i <= 40; i++) {
      put(path.join(src, 'server.pem'), bundle(LEAVES[i % 4]!));
      await until(() => publishedSha(out) === fp(LEAVES[i % 4]!), `rotation ${i}`);
      seen.add(publishedSha(out)!);
    }
    for (const r of readers) r.p.kill('SIGTERM');
    await Promise.all(readers.map((r) => r.done));
    const [consistent, naive] = readers.map((r) => r.report());
    expect(seen.size).toBe(4);
    expect(consistent.failures).toEqual([]);
    expect(consistent.checks).toBeGreaterThan(1000);
    // Top-level names: never missing or partial. A swap can fall between two separate opens.
    expect(naive.failures).toEqual([]);
    expect(naive.checks).toBeGreaterThan(1000);
    console.log(
      `reader checks during 40 rotations: ${consistent.checks} within a generation, ` +
        `${naive.checks} through the top-level names (${naive.straddled} straddled a swap)`,
    );
  });
});

describe('watch as a process', () => {
  it('ends cleanly on SIGTERM and SIGINT with exit code 0 and no half-written generation', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const out = path.join(tmp(), 'out');
      const p = spawn(
        process.execPath,
        [BIN, 'watch', '--output', out, '--health-port', '0', '--owner', `${process.getuid!()}:${process.getgid!()}`],
        { stdio: 'ignore', env: { PATH: process.env.PATH! } },
      );
      await until(() => fs.existsSync(path.join(out, 'manifest.json')), 'the first publish');
      const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
      p.kill(signal);
      const code = await Promise.race([exited, sleep(2000).then(() => 'still running after 2 s')]);
      expect(code).toBe(0);
      const gens = fs.readdirSync(out).filter((n) => /^\.\.\d/.test(n));
      expect(gens).toEqual([fs.readlinkSync(path.join(out, '..data'))]);
    }
  });
});

describe('a rotation reaches a real HTTPS server', () => {
  it('a Node https server reloading from the published files serves the new one; probe --wait sees it', async () => {
    const https = await import('node:https');
    const src = tmp();
    const out = path.join(tmp(), 'out');
    put(path.join(src, 'server.pem'), bundle('rsa2048'));
    await watch({ KCS_SOURCE: src, KCS_OUTPUT: out });
    const load = () => ({
      cert: fs.readFileSync(path.join(out, 'tls.crt')),
      key: fs.readFileSync(path.join(out, 'tls.key')),
    });
    const server = https.createServer(load(), (_q, s) => s.end('ok'));
    // What a reloading server does: watch the published directory, and load the pair again on a change.
    const watcher = fs.watch(out, () => {
      try {
        server.setSecureContext(load());
      } catch {
        // a pair read across a swap: the next event (the re-link) brings a matching one
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      // spawn, not spawnSync: the server runs in this process and must keep answering
      const probeFor = (leaf: string) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const p = spawn(
            process.execPath,
            [BIN, 'probe', '--url', url, '--expect-sha256', fp(leaf), '--ca', fixture('root.crt'), '--wait', '10s'],
            { env: { PATH: process.env.PATH! } },
          );
          let stdout = '';
          let stderr = '';
          p.stdout.on('data', (d) => (stdout += d));
          p.stderr.on('data', (d) => (stderr += d));
          p.on('exit', (status) => resolve({ status, stdout, stderr }));
        });
      const first = await probeFor('rsa2048');
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      put(path.join(src, 'server.pem'), bundle('p384'));
      const r = await probeFor('p384');
      expect(r.stdout).toBe(`ok ${url} serves ${fp('p384')}\n`);
      expect(r.status).toBe(0);
    } finally {
      watcher.close();
      server.close();
    }
  });
});
