// What the rotation tests and the bench share: the example app built with the ASP.NET Core companion (once per
// source content), a publish by the sidecar's own `init`, a Kestrel started without waiting for it to serve,
// and a look at what a fresh TLS connection is served.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { BIN, FIXTURES, ROOT, cleanEnv, freePort } from './env.js';

const SOURCES = [path.join(ROOT, 'examples/api'), path.join(ROOT, 'harness/dotnet/KestrelCertSidecar.AspNetCore')];

/** examples/api with the companion, built once per content of both projects (.cache/api-companion-<hash>). */
export function buildCompanionApp(): string {
  const hash = crypto.createHash('sha256');
  for (const dir of SOURCES)
    for (const f of fs
      .readdirSync(dir)
      .filter((n) => /\.(cs|csproj)$/.test(n))
      .sort())
      hash.update(f).update(fs.readFileSync(path.join(dir, f)));
  const out = path.join(ROOT, '.cache', `api-companion-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(out, 'Api.dll'))) {
    const r = spawnSync('dotnet', ['build', SOURCES[0]!, '-c', 'Release', '-o', out, '--nologo'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    if (r.status !== 0) throw new Error(`dotnet build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

export const tmpDir = (prefix = 'kcs-rotation-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** SHA-256 of a fixture certificate, as node:tls and manifest.json write it. */
export const shaOf = (leaf: string) =>
  new crypto.X509Certificate(fs.readFileSync(path.join(FIXTURES, `${leaf}.crt`))).fingerprint256;

/**
 * Publishes a fixture leaf (its key, the leaf, then the fixtures' intermediate) to `out` with `init`, as the
 * current user. Returns when the new ..data is live.
 */
export function publish(out: string, leaf: string, args: string[] = []): string {
  const src = tmpDir('kcs-rotation-src-');
  fs.writeFileSync(
    path.join(src, 'server.pem'),
    Buffer.concat([`${leaf}.key`, `${leaf}.crt`, 'inter.crt'].map((f) => fs.readFileSync(path.join(FIXTURES, f)))),
  );
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'init',
      ...['--source', src, '--output', out, '--hostnames', 'localhost'],
      ...(args.includes('--owner') ? [] : ['--owner', owner()]),
      ...args,
    ],
    { env: cleanEnv(), encoding: 'utf8' },
  );
  fs.rmSync(src, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`init failed (${r.status}): ${r.stderr}`);
  return shaOf(leaf);
}
const owner = () => `${process.getuid!()}:${process.getgid!()}`;

export interface Served {
  sha256: string;
  /** Subjects of the certificates the server sent after the leaf. */
  chain: string[];
}

/** What a fresh TLS connection to 127.0.0.1:port is served (no session is offered, so none is resumed). */
export function served(port: number): Promise<Served | undefined> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const leaf = s.getPeerCertificate(true);
      const chain: string[] = [];
      // issuerCertificate links the certificates the server sent (a self-signed one links to itself).
      for (let c = leaf.issuerCertificate; c && c !== c.issuerCertificate; c = c.issuerCertificate)
        chain.push(`CN=${c.subject.CN}`);
      resolve({ sha256: s.getPeerX509Certificate()!.fingerprint256, chain });
      s.end();
    });
    s.setTimeout(5000, () => s.destroy());
    s.on('error', () => resolve(undefined));
    s.on('close', () => resolve(undefined));
  });
}

/** Polls `fn` every 10 ms until it returns a truthy value, or `ms` pass (then undefined). */
export async function within<T>(ms: number, fn: () => Promise<T | undefined> | T | undefined): Promise<T | undefined> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (performance.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface App {
  port: number;
  /** The whole lines the app has written so far, stdout and stderr. */
  logs: () => string;
  child: ChildProcess;
  exited: Promise<number | string | null>;
  /** Resolves once a TLS handshake completes; rejects when the app exits first or 60 s pass. */
  listening: () => Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts examples/api (`appDir`) with `env`, where PORT in any value becomes a free port. It does not wait:
 * `listening()` does. Kestrel's own log is kept at Warning, the companion's at Information.
 */
export async function startApp(appDir: string, env: Record<string, string>): Promise<App> {
  const port = await freePort();
  const home = tmpDir('kcs-home-');
  let log = '';
  const child = spawn('dotnet', [path.join(appDir, 'Api.dll')], {
    env: cleanEnv({
      HOME: home,
      DOTNET_CLI_HOME: home,
      Logging__LogLevel__Default: 'Warning',
      Logging__LogLevel__KestrelCertSidecar: 'Information',
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('PORT', String(port))])),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Only whole lines reach `log`: a condition that waits on a line must not see the first half of it (a chunk
  // boundary can fall anywhere), and stdout and stderr must not interleave inside one line.
  const lines = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (d) => {
      const text = partial + d;
      const end = text.lastIndexOf('\n') + 1;
      log += text.slice(0, end);
      partial = text.slice(end);
    });
    stream.on('end', () => {
      if (partial) log += `${partial}\n`;
    });
  };
  lines(child.stdout!);
  lines(child.stderr!);
  // 'close', not 'exit': the output is read to its end first.
  const exited = new Promise<number | string | null>((r) => child.on('close', (code, signal) => r(code ?? signal)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    port,
    child,
    exited,
    logs: () => log,
    listening: async () => {
      const end = Date.now() + 60_000;
      while (!(await served(port))) {
        if (!running()) throw new Error(`the app exited (${child.exitCode ?? child.signalCode}); its output:\n${log}`);
        if (Date.now() > end) throw new Error(`the app did not serve TLS within 60 s; its output:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    [Symbol.asyncDispose]: async () => {
      if (running()) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (running()) child.kill('SIGKILL');
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
