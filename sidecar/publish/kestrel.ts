// kestrel.env and kestrel.json: how the app container points Kestrel at the published files.
// With a Password set (even ""), Kestrel treats a PEM key as encrypted, so the pem format sets none.
//
// Which forms reload a rotated certificate (dotnet/aspnetcore, src/Servers/Kestrel/Core/src):
// - KestrelConfigurationLoader.Reload rebuilds only ConfigurationBackedListenOptions, the endpoints of
//   Kestrel:Endpoints; endpoints from ASPNETCORE_URLS or ASPNETCORE_HTTP(S)_PORTS are bound once, with the
//   certificate they started with. Its CertificatePathWatcher (Internal/CertificatePathWatcher.cs) watches the
//   Path of each declared endpoint's Certificate, and of Certificates:Default, by polling (PhysicalFileProvider
//   with UsePollingFileWatcher, because it follows symlinks), and flags the configs whose file changed.
// - So KCS_KESTREL_ENDPOINT declares Kestrel:Endpoints:Https with its own Certificate (Path with KeyPath, or
//   with Password): "A cert specified directly on the endpoint overrides any defaults" (the loader), and it is
//   watched. The Default certificate stays, for endpoints made in code.
// - Declared endpoints replace the addresses of ASPNETCORE_URLS and ASPNETCORE_HTTP(S)_PORTS
//   (Internal/AddressBinder.cs, OverrideWithEndpointsStrategy: "Overriding address(es) ..."), so an app that
//   also serves plain HTTP (the .NET images set ASPNETCORE_HTTP_PORTS=8080) declares it too:
//   KCS_KESTREL_HTTP_ENDPOINT, Kestrel:Endpoints:Http:Url. ConfigurationReader.ThrowIfContainsHttpsOnlyConfiguration
//   refuses a Certificate on an http:// endpoint, so it gets none.
import path from 'node:path';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import type { KestrelFormat } from '../settings/options.js';

export type { KestrelFormat } from '../settings/options.js';

export interface KestrelSettings {
  Path: string;
  KeyPath?: string;
  Password?: string;
}

/** The endpoints kestrel.env declares in Kestrel's configuration: KCS_KESTREL_ENDPOINT, KCS_KESTREL_HTTP_ENDPOINT. */
export interface KestrelEndpoints {
  https?: string | undefined;
  http?: string | undefined;
}

export function kestrelSettings(format: KestrelFormat, mountPath: string, password: string): KestrelSettings {
  const at = (f: string) => path.posix.join(mountPath, f);
  return format === 'pem'
    ? { Path: at('tls.crt'), KeyPath: at('tls.key') }
    : { Path: at('cert.pfx'), Password: password };
}

/**
 * Refuses an endpoint Kestrel would refuse at start. AddressBinder.ParseAddress takes scheme://host:port, with
 * `+` or `*` for every address, and the scheme decides TLS; a path is not an endpoint, and a line break would
 * end the kestrel.env line.
 */
export function checkEndpoints(e: KestrelEndpoints): void {
  for (const [scheme, env, url] of [
    ['https', 'KCS_KESTREL_ENDPOINT', e.https],
    ['http', 'KCS_KESTREL_HTTP_ENDPOINT', e.http],
  ] as const) {
    if (url === undefined) continue;
    const m = /^([a-z]+):\/\/(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):(\d{1,5})\/?$/.exec(url);
    if (!m || m[1] !== scheme || Number(m[3]) > 65535) {
      fail(messages.CONFIG_INVALID.endpoint({ env, url, scheme }));
    }
  }
}

/** Every configuration key kestrel.env and kestrel.json set, with `:` between sections, in order. */
export function kestrelConfig(s: KestrelSettings, e: KestrelEndpoints = {}): [string, string][] {
  const cert = (prefix: string) => Object.entries(s).map(([k, v]): [string, string] => [`${prefix}:${k}`, v]);
  return [
    ...cert('Kestrel:Certificates:Default'),
    ...(e.https ? [['Kestrel:Endpoints:Https:Url', e.https] as [string, string]] : []),
    ...(e.https ? cert('Kestrel:Endpoints:Https:Certificate') : []),
    ...(e.http ? [['Kestrel:Endpoints:Http:Url', e.http] as [string, string]] : []),
  ];
}

/** Docker's env-file format: KEY=value, one a line, no quoting, so the value may hold any character but a newline.
 *  ASPNETCORE_-prefixed variables reach the app's configuration with `__` as the section separator. */
export function kestrelEnv(s: KestrelSettings, e: KestrelEndpoints = {}): string {
  return kestrelConfig(s, e)
    .map(([k, v]) => `ASPNETCORE_${k.replaceAll(':', '__')}=${v}\n`)
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

export function kestrelJson(s: KestrelSettings, e: KestrelEndpoints = {}): string {
  const root: Record<string, unknown> = {};
  for (const [key, value] of kestrelConfig(s, e)) {
    const parts = key.split(':');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return `${JSON.stringify(root, null, 2)}\n`;
}
