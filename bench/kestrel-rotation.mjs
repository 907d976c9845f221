// Rotation end to end: the source changes -> `watch` publishes a new ..data (our part) -> a real
// Kestrel (examples/api on this machine's .NET, its endpoint declared in configuration, so it reloads)
// serves the new leaf. Each rotation is timed from the moment the new source is renamed into place.
// Kestrel's trace log of CertificatePathWatcher is kept, to say what sets its part.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
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

function served(port) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256);
      s.end();
    });
    s.on('error', () => resolve(undefined));
  });
}

export async function benchKestrelRotation({
  BIN,
  FIX,
  node,
  tmp,
  stats,
  fmt,
  root,
  rotations = Number(process.env.BENCH_ROTATIONS ?? 5),
}) {
  if (
    spawnSync('dotnet', ['--list-runtimes'], { encoding: 'utf8' }).stdout?.includes('Microsoft.AspNetCore.App') !== true
  ) {
    return [
      {
        what: 'rotation end to end (Kestrel)',
        value: 'not run: no ASP.NET Core runtime here',
        baseline: '-',
        ratio: '-',
        target: '-',
      },
    ];
  }
  const appDir = path.join(root, '.cache', 'api-bench');
  if (!fs.existsSync(path.join(appDir, 'Api.dll'))) {
    const b = spawnSync(
      'dotnet',
      ['build', path.join(root, 'examples/api'), '-c', 'Release', '-o', appDir, '--nologo'],
      { encoding: 'utf8' },
    );
    if (b.status !== 0) throw new Error(`dotnet build failed: ${b.stdout}`);
  }
  const dir = tmp();
  const src = path.join(dir, 'src');
  const out = path.join(dir, 'out');
  fs.mkdirSync(src);
  const leaves = ['p256', 'p384'];
  const shaOf = (leaf) => new crypto.X509Certificate(fs.readFileSync(path.join(FIX, `${leaf}.crt`))).fingerprint256;
  const write = (leaf) => {
    fs.writeFileSync(
      path.join(src, '.incoming'),
      Buffer.concat([
        fs.readFileSync(path.join(FIX, `${leaf}.key`)),
        fs.readFileSync(path.join(FIX, `${leaf}.crt`)),
        fs.readFileSync(path.join(FIX, 'inter.crt')),
      ]),
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
  const port = await freePort();
  let kestrelLog = '';
  let kestrel;
  try {
    await until(() => manifestSha() === shaOf(leaves[0]), 30_000, 'the first publish');
    const home = tmp();
    kestrel = spawn('dotnet', [path.join(appDir, 'Api.dll')], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        DOTNET_CLI_HOME: home,
        APP_NAME: 'bench',
        ASPNETCORE_Kestrel__Endpoints__Https__Url: `https://127.0.0.1:${port}`,
        ASPNETCORE_Kestrel__Certificates__Default__Path: path.join(out, 'tls.crt'),
        ASPNETCORE_Kestrel__Certificates__Default__KeyPath: path.join(out, 'tls.key'),
        Logging__LogLevel__Default: 'Warning',
        'Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel': 'Trace',
        Logging__Console__TimestampFormat: 'HH:mm:ss.fff ',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kestrel.stdout.on('data', (d) => (kestrelLog += d));
    kestrel.stderr.on('data', (d) => (kestrelLog += d));
    await until(async () => (await served(port)) === shaOf(leaves[0]), 60_000, 'Kestrel to serve');
    const ours = [];
    const total = [];
    for (let i = 1; i <= rotations; i++) {
      const leaf = leaves[i % 2];
      const t0 = performance.now();
      write(leaf);
      await until(() => manifestSha() === shaOf(leaf), 10_000, `rotation ${i} to be published`);
      ours.push(performance.now() - t0);
      await until(async () => (await served(port)) === shaOf(leaf), 60_000, `rotation ${i} to be served`);
      total.push(performance.now() - t0);
    }
    const o = stats(ours);
    const t = stats(total);
    return [
      {
        what: `rotation end to end: source changed -> new leaf served by Kestrel (endpoint in configuration), ${rotations} rotations: median / p95`,
        value: `${fmt(t.median)} / ${fmt(t.p95)}`,
        baseline: `ours (source changed -> new ..data live) ${fmt(o.median)} / ${fmt(o.p95)}`,
        ratio: '-',
        target: 'reference: Kestrel polls (see docs/kestrel.md)',
      },
    ];
  } finally {
    watch.kill('SIGTERM');
    kestrel?.kill('SIGTERM');
    if (process.env.BENCH_KESTREL_LOG)
      fs.writeFileSync(process.env.BENCH_KESTREL_LOG, `${kestrelLog}\n--- watch ---\n${watchLog}`);
  }
}
