// Rotation end to end, side by side for the three ways an app can point Kestrel at the set (docs/rotation.md):
//   default     ASPNETCORE_URLS with ASPNETCORE_Kestrel__Certificates__Default__* (kestrel.env as it is)
//   declared    the endpoint in Kestrel's configuration with its certificate (KCS_KESTREL_ENDPOINT)
//   companion   builder.WebHost.UseKestrelCertSidecar(dir) (harness/dotnet/KestrelCertSidecar.AspNetCore)
// One `watch` publishes to one volume; three Kestrels (examples/api on this machine's .NET) read it. Each
// rotation is timed from the moment the new ..data is live (manifest.json names the new leaf) to the first fresh
// TLS connection (no session offered, so none resumed) that is served the new leaf, for each form, within a
// bounded window: a form that has not rotated by then counts as "not served". Between rotations a seeded random
// pause (0 to 8 s) lands publishes anywhere in Kestrel's 8-second watch cycle, as real ones do. The chain each
// form sends is looked at once: does it hold the intermediate?
//
// `node bench/kestrel-rotation.mjs` runs it alone (BENCH_ROTATIONS, default 10); `npm run bench` runs it last.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** How long a form gets to serve a publish: Kestrel's cycle is 8 s, so 10 s means it will not. */
const WINDOW_MS = 10_000;

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The leaf's SHA-256 and the subjects sent after it, on a fresh connection. */
function served(port) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const chain = [];
      for (
        let c = s.getPeerCertificate(true).issuerCertificate;
        c && c !== c.issuerCertificate;
        c = c.issuerCertificate
      )
        chain.push(c.subject.CN);
      resolve({ sha256: s.getPeerX509Certificate()?.fingerprint256, chain });
      s.end();
    });
    s.on('error', () => resolve(undefined));
  });
}

/** examples/api with the companion, built once per content (the same cache as test/integration/support/rotation.ts). */
function buildCompanionApp(root) {
  const dirs = [path.join(root, 'examples/api'), path.join(root, 'harness/dotnet/KestrelCertSidecar.AspNetCore')];
  const hash = crypto.createHash('sha256');
  for (const dir of dirs)
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => /\.(cs|csproj)$/.test(n))
      .sort())
      hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const out = path.join(root, '.cache', `api-companion-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(out, 'Api.dll'))) {
    const b = spawnSync('dotnet', ['build', dirs[0], '-c', 'Release', '-o', out, '--nologo'], { encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`dotnet build failed: ${b.stdout}`);
  }
  return out;
}

/** A small seeded generator (mulberry32), so every run pauses the same way. */
function seeded(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function benchKestrelRotation({
  BIN,
  FIX,
  node,
  tmp,
  stats,
  fmt,
  root,
  rotations = Number(process.env.BENCH_ROTATIONS ?? 10),
}) {
  if (
    spawnSync('dotnet', ['--list-runtimes'], { encoding: 'utf8' }).stdout?.includes('Microsoft.AspNetCore.App') !== true
  ) {
    const no = 'not run: no ASP.NET Core runtime here';
    return [{ what: 'rotation end to end (Kestrel)', value: no, baseline: '-', ratio: '-', target: '-' }];
  }
  const appDir = buildCompanionApp(root);
  const dir = tmp();
  const src = path.join(dir, 'src');
  const out = path.join(dir, 'out');
  fs.mkdirSync(src);
  // The first leaf is never published again, so a form that keeps it is never taken for one that rotated.
  const leaves = ['rsa2048', 'p256', 'p384'];
  const shaOf = (leaf) => new crypto.X509Certificate(fs.readFileSync(path.join(FIX, `${leaf}.crt`))).fingerprint256;
  const write = (leaf) => {
    fs.writeFileSync(
      path.join(src, '.incoming'),
      Buffer.concat([`${leaf}.key`, `${leaf}.crt`, 'inter.crt'].map((f) => fs.readFileSync(path.join(FIX, f)))),
    );
    fs.renameSync(path.join(src, '.incoming'), path.join(src, 'server.pem'));
  };
  write(leaves[0]);
  const watch = spawn(
    node,
    [BIN, 'watch', '--source', src, '--output', out, '--health-port', '0', '--hostnames', 'localhost'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let watchLog = '';
  watch.stderr.on('data', (d) => (watchLog += d));
  const manifestSha = () => {
    try {
      return JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).sha256;
    } catch {
      return undefined;
    }
  };
  const cert = (prefix) => ({
    [`${prefix}__Path`]: path.join(out, 'tls.crt'),
    [`${prefix}__KeyPath`]: path.join(out, 'tls.key'),
  });
  const forms = [
    {
      name: 'default',
      env: (p) => ({ ASPNETCORE_URLS: `https://127.0.0.1:${p}`, ...cert('ASPNETCORE_Kestrel__Certificates__Default') }),
    },
    {
      name: 'declared',
      env: (p) => ({
        ASPNETCORE_Kestrel__Endpoints__Https__Url: `https://127.0.0.1:${p}`,
        ...cert('ASPNETCORE_Kestrel__Endpoints__Https__Certificate'),
      }),
    },
    {
      name: 'companion',
      env: (p) => ({ ASPNETCORE_URLS: `https://127.0.0.1:${p}`, KestrelCertSidecar__Directory: out }),
    },
  ];
  const apps = [];
  try {
    await until(() => manifestSha() === shaOf(leaves[0]), 30_000, 'the first publish');
    for (const form of forms) {
      const port = await freePort();
      const home = tmp();
      const child = spawn('dotnet', [path.join(appDir, 'Api.dll')], {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          DOTNET_CLI_HOME: home,
          APP_NAME: form.name,
          Logging__LogLevel__Default: 'Warning',
          ...form.env(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const app = { ...form, port, child, log: '', samples: [], missed: 0, chain: [] };
      child.stdout.on('data', (d) => (app.log += d));
      child.stderr.on('data', (d) => (app.log += d));
      apps.push(app);
    }
    for (const app of apps)
      await until(async () => (await served(app.port))?.sha256 === shaOf(leaves[0]), 60_000, `${app.name} to serve`);
    for (const app of apps) app.chain = (await served(app.port))?.chain ?? [];
    const pause = seeded(20261205);
    const ours = [];
    for (let i = 1; i <= rotations; i++) {
      const leaf = leaves[1 + (i % 2)];
      const t0 = performance.now();
      write(leaf);
      await until(() => manifestSha() === shaOf(leaf), 10_000, `rotation ${i} to be published`);
      const live = performance.now();
      ours.push(live - t0);
      await Promise.all(
        apps.map(async (app) => {
          while (performance.now() - live < WINDOW_MS) {
            if ((await served(app.port))?.sha256 === shaOf(leaf)) return app.samples.push(performance.now() - live);
            await sleep(10);
          }
          app.missed++;
        }),
      );
      await sleep(pause() * 8000);
    }
    const o = stats(ours);
    return apps.map((app) => {
      const s = app.samples.length ? stats(app.samples) : undefined;
      const others = s ? ` (the others ${fmt(s.median)} / ${fmt(s.p95)})` : '';
      const sent = app.chain.includes('Fixture Intermediate CA') ? 'yes' : 'no';
      const value =
        app.samples.length === rotations
          ? `${fmt(s.median)} / ${fmt(s.p95)}`
          : `not served within ${WINDOW_MS / 1000} s in ${app.missed} of ${rotations}${others}`;
      return {
        what:
          `rotation, ${app.name} form: new ..data live -> new leaf on a fresh TLS connection, ` +
          `${rotations} rotations: p50 / p95; intermediate sent: ${sent}`,
        value,
        baseline: `ours (source changed -> new ..data live) ${fmt(o.median)} / ${fmt(o.p95)}`,
        ratio: '-',
        target: {
          default: 'expected: never (docs/rotation.md)',
          declared: 'Kestrel polls: 0-8 s',
          companion: 'p95 < 1 s',
        }[app.name],
      };
    });
  } finally {
    watch.kill('SIGTERM');
    for (const app of apps) app.child.kill('SIGTERM');
    if (process.env.BENCH_KESTREL_LOG)
      fs.writeFileSync(
        process.env.BENCH_KESTREL_LOG,
        `${apps.map((a) => `--- ${a.name} ---\n${a.log}`).join('\n')}\n--- watch ---\n${watchLog}`,
      );
  }
}

// Alone: node bench/kestrel-rotation.mjs
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const stats = (samples) => {
    const s = [...samples].sort((a, b) => a - b);
    const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
    return { median: q(0.5), p95: q(0.95) };
  };
  const rows = await benchKestrelRotation({
    BIN: path.join(root, 'dist/kestrel-cert-sidecar.mjs'),
    FIX: path.join(root, 'test/fixtures/files'),
    node: process.execPath,
    tmp: () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-bench-')),
    stats,
    fmt: (ms) => `${ms.toFixed(1)} ms`,
    root,
  });
  for (const r of rows) console.log(`| ${r.what} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} |`);
}
