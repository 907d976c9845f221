// kestrel.env and kestrel.json: how the app container points Kestrel at the published files.
// With a Password set (even ""), Kestrel treats a PEM key as encrypted, so the pem format sets none.
import path from 'node:path';
import type { KestrelFormat } from '../settings/options.js';

export type { KestrelFormat } from '../settings/options.js';

export interface KestrelSettings {
  Path: string;
  KeyPath?: string;
  Password?: string;
}

export function kestrelSettings(format: KestrelFormat, mountPath: string, password: string): KestrelSettings {
  const at = (f: string) => path.posix.join(mountPath, f);
  return format === 'pem'
    ? { Path: at('tls.crt'), KeyPath: at('tls.key') }
    : { Path: at('cert.pfx'), Password: password };
}

/** Docker's env-file format: KEY=value, one a line, no quoting, so the value may hold any character but a newline. */
export function kestrelEnv(s: KestrelSettings): string {
  return Object.entries(s)
    .map(([k, v]) => `ASPNETCORE_Kestrel__Certificates__Default__${k}=${v}\n`)
    .join('');
}

/** The inverse of kestrelEnv: KEY=value lines of a Docker env file. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function kestrelJson(s: KestrelSettings): string {
  return `${JSON.stringify({ Kestrel: { Certificates: { Default: s } } }, null, 2)}\n`;
}
