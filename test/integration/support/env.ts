// What the integration tests need: paths, ports, a clean environment; and whether to skip
// (test/support/skips.ts: a reason and the command that enables the suite; in CI a skip fails).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'dist/kestrel-cert-sidecar.mjs');
export const FIXTURES = path.join(ROOT, 'test/fixtures/files');
export { ENABLE, REQUIRED, missing, missingAspNet, needs, needsAll } from '../../support/skips.js';

/** A host directory the image's user (1654) can write, as a named volume mounted at /https would be. */
export function appVolume(prefix = 'kcs-vol-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);
  if (process.getuid?.() === 0) fs.chownSync(d, 1654, 1654);
  else fs.chmodSync(d, 0o777);
  return d;
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
