// What the integration tests need, and whether to skip: on a user's machine without Docker or .NET
// a suite skips with a one-line reason; in CI (REQUIRE_INTEGRATION_TESTS=1) a missing tool fails.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'dist/kestrel-cert-sidecar.mjs');
export const FIXTURES = path.join(ROOT, 'test/fixtures/files');
export const REQUIRED = process.env.REQUIRE_INTEGRATION_TESTS === '1';

/** Undefined when the tool works, else the reason it does not. */
export function missing(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `${cmd} is not installed`;
  if (r.status !== 0) return `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  return undefined;
}

/** Returns true when the suite should run; logs the one-line reason when it skips. Throws in CI. */
export function needs(what: string, reason: string | undefined): boolean {
  if (!reason) return true;
  if (REQUIRED) throw new Error(`${what} is required here (REQUIRE_INTEGRATION_TESTS=1) but ${reason}`);
  console.warn(`skipping ${what} tests: ${reason}`);
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A child environment without the machine's TLS trust overrides, so each test sets its own. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(SSL_CERT_|NODE_EXTRA_CA_CERTS|KCS_|ASPNETCORE_|DOTNET_|Kestrel__)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1', ...extra };
}

export { parseEnvFile } from '../../../sidecar/publish/kestrel.js';
