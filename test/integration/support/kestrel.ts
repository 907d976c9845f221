// Builds and runs the example ASP.NET Core app of examples/api on this machine's .NET.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { ROOT, cleanEnv, freePort } from './env.js';

const APP_DIR = path.join(ROOT, 'examples/api');

/** Builds once per source content; later runs reuse the build. */
export function buildKestrelApp(): string {
  const hash = crypto.createHash('sha256');
  for (const f of fs
    .readdirSync(APP_DIR)
    .filter((n) => /\.(cs|csproj)$/.test(n))
    .sort())
    hash.update(fs.readFileSync(path.join(APP_DIR, f)));
  const out = path.join(ROOT, '.cache', `api-${hash.digest('hex').slice(0, 12)}`);
  if (!fs.existsSync(path.join(out, 'Api.dll'))) {
    const r = spawnSync('dotnet', ['build', APP_DIR, '-c', 'Release', '-o', out, '--nologo'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    if (r.status !== 0) throw new Error(`dotnet build failed:\n${r.stdout}\n${r.stderr}`);
  }
  return out;
}

export interface RunningApp {
  url: string;
  port: number;
  logs: () => string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the app on https://127.0.0.1:<port> and waits until it completes a TLS handshake. */
/**
 * `endpoint: 'urls'` binds through ASPNETCORE_URLS, as ASPNETCORE_HTTPS_PORTS users do; 'config'
 * declares the endpoint in Kestrel configuration, which is what lets Kestrel reload a changed
 * certificate (endpoints from URLs keep the certificate they started with).
 */
export async function startKestrel(
  appDir: string,
  env: Record<string, string>,
  name = 'kestrel-app',
  endpoint: 'urls' | 'config' = 'urls',
): Promise<RunningApp> {
  const port = await freePort();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-home-')); // no dev certificate in the user store
  let log = '';
  const child: ChildProcess = spawn('dotnet', [path.join(appDir, 'Api.dll')], {
    env: cleanEnv({
      HOME: home,
      DOTNET_CLI_HOME: home,
      ...(endpoint === 'urls'
        ? { ASPNETCORE_URLS: `https://127.0.0.1:${port}` }
        : { ASPNETCORE_Kestrel__Endpoints__Https__Url: `https://127.0.0.1:${port}` }),
      APP_NAME: name,
      Logging__LogLevel__Default: 'Warning',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  const running = () => child.exitCode === null && child.signalCode === null;
  const dispose = async () => {
    if (running()) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (running()) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    // An exception at start aborts the host (SIGABRT, so no exit code): either way it has ended.
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `Kestrel exited with ${child.exitCode ?? child.signalCode} before serving; its ` +
          `output:\n${log.split('\n').slice(0, 15).join('\n')}`,
      );
    const ok = await new Promise<boolean>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      await dispose();
      throw new Error(
        `Kestrel did not serve TLS within 60 s; its last lines:\n${log.split('\n').slice(-15).join('\n')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url: `https://127.0.0.1:${port}`, port, logs: () => log, [Symbol.asyncDispose]: dispose };
}
