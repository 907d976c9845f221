// The published file set, as data: relative path -> content and mode. Pure; the writer does the I/O.
// Names follow the Kubernetes TLS secret (tls.crt, tls.key, ca.crt); compose files and pod specs
// hard-code them, so they are a contract.
import crypto from 'node:crypto';
import type { Converted } from '../convert/index.js';
import { pkcs8Der } from '../convert/pem.js';
import type { PfxProfile } from '../convert/pfx.js';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Material } from '../material.js';
import type { Validated } from '../validate/validate.js';
import { summarize } from '../pkix/x509info.js';
import { kestrelEnv, kestrelJson, kestrelSettings, type KestrelEndpoints, type KestrelFormat } from './kestrel.js';
import { caBundle, hashedNames } from './trust.js';

import { MODE_SECRET, MODE_PUBLIC } from './modes.js';

export interface OutFile {
  data: Buffer;
  mode: number;
}
export type FileSet = Map<string, OutFile>;

export interface LayoutOptions {
  mountPath: string;
  kestrelFormat: KestrelFormat;
  /** KCS_KESTREL_ENDPOINT and KCS_KESTREL_HTTP_ENDPOINT: endpoints kestrel.env declares. */
  kestrelEndpoints?: KestrelEndpoints;
  pfxProfile: PfxProfile;
  outputPassword: string;
  /** How the output password was chosen; only a generated one is published in cert.password. */
  passwordOrigin: 'configured' | 'input' | 'generated';
  appName?: string;
  userSecretsId?: string;
  now: Date;
}

/** The digest of everything that decides the content, so an unchanged set is not republished
 *  (a PFX has random salts, so comparing bytes would always differ). One-way: the key's 256+ bits
 *  of entropy make it useless for guessing the password. */
export function contentDigest(m: Material, v: Validated, o: LayoutOptions): string {
  const settings = JSON.stringify([
    o.mountPath,
    o.kestrelFormat,
    o.pfxProfile,
    o.outputPassword,
    o.passwordOrigin,
    o.appName,
    o.userSecretsId,
    // Only when declared, so a set published before the setting existed keeps its digest.
    ...(o.kestrelEndpoints?.https || o.kestrelEndpoints?.http ? [o.kestrelEndpoints] : []),
  ]);
  return crypto.hash(
    'sha256',
    Buffer.concat([...[...v.chain, ...v.anchors].map((c) => c.raw), pkcs8Der(m.key), Buffer.from(settings, 'utf8')]),
  );
}

const text = (s: string, mode = MODE_PUBLIC): OutFile => ({ data: Buffer.from(s, 'utf8'), mode });

/** The files of a generation, from what convert/ made of the material. */
export function buildFileSet(m: Material, v: Validated, o: LayoutOptions, generation: string, c: Converted): FileSet {
  if (o.kestrelFormat === 'pfx' && /[\r\n]/.test(o.outputPassword)) {
    fail(messages.CONFIG_INVALID.outputPasswordLineBreak());
  }
  const files: FileSet = new Map();
  files.set('tls.crt', text(c.tlsCrt));
  files.set('tls.key', text(c.tlsKey, MODE_SECRET));
  files.set('ca.crt', text(c.caCrt));
  files.set('cert.pfx', { data: c.pfx, mode: MODE_SECRET });
  if (o.passwordOrigin === 'generated') files.set('cert.password', text(o.outputPassword, MODE_SECRET));
  const settings = kestrelSettings(o.kestrelFormat, o.mountPath, o.outputPassword);
  const envMode = settings.Password === undefined ? MODE_PUBLIC : MODE_SECRET;
  files.set('kestrel.env', text(kestrelEnv(settings, o.kestrelEndpoints), envMode));
  files.set('kestrel.json', text(kestrelJson(settings, o.kestrelEndpoints), envMode));
  files.set('trust/ca-bundle.crt', { data: caBundle(v.anchors), mode: MODE_PUBLIC });
  for (const [name, pem] of hashedNames(v.anchors)) files.set(`trust/certs/${name}`, text(pem));
  if (o.appName && o.userSecretsId) addDevelopment(files, o.appName, o.userSecretsId, o.outputPassword, c.pfx);
  files.set('manifest.json', text(`${JSON.stringify(manifest(m, v, o, generation, c, files), null, 2)}\n`));
  return files;
}

/** Kestrel's development-certificate lookup: $APPDATA/ASP.NET/https/<app>.pfx, its password from
 *  user secrets, which .NET reads from $APPDATA/Microsoft/UserSecrets/<id>/secrets.json. */
function addDevelopment(files: FileSet, appName: string, userSecretsId: string, password: string, pfx: Buffer): void {
  files.set(`appdata/ASP.NET/https/${appName}.pfx`, { data: pfx, mode: MODE_SECRET });
  const secrets = { 'Kestrel:Certificates:Development:Password': password };
  files.set(
    `appdata/Microsoft/UserSecrets/${userSecretsId}/secrets.json`,
    text(`${JSON.stringify(secrets, null, 2)}\n`, MODE_SECRET),
  );
}

/** manifest.json: what is published, and the digest of every other file, by which the next publish
 *  knows the live files are still the ones published (docs/threat-model.md). */
function manifest(m: Material, v: Validated, o: LayoutOptions, generation: string, c: Converted, files: FileSet) {
  const leaf = summarize(m.leaf, o.now);
  return {
    generation,
    publishedAt: o.now.toISOString(),
    contentDigest: contentDigest(m, v, o),
    sha256: leaf.sha256,
    subject: leaf.subject,
    issuer: leaf.issuer,
    sans: leaf.sans,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    key: leaf.key,
    chain: v.chain.map((x) => summarize(x, o.now)),
    ca: v.anchors.map((x) => summarize(x, o.now)),
    source: { kind: m.source.kind, files: m.source.files, ...m.source.details },
    kestrel: {
      format: o.kestrelFormat,
      mountPath: o.mountPath,
      pfxProfile: o.pfxProfile,
      pfx: c.pfxFrom,
      outputPassword: o.passwordOrigin,
    },
    files: [...files.keys(), 'manifest.json'].sort(),
    digests: Object.fromEntries(
      [...files]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, f]) => [k, fileDigest(files.get('tls.key')?.data, f.data)]),
    ),
  };
}

/**
 * The digest of a published file in manifest.json: HMAC-SHA256 keyed with the SHA-256 of the
 * published tls.key. A plain hash of kestrel.env or secrets.json would let anyone who reads the
 * public manifest test guesses of a weak configured password; this key has the leaf key's entropy.
 */
export function fileDigest(tlsKey: Buffer | undefined, data: Buffer): string {
  const key = crypto.hash('sha256', tlsKey ?? Buffer.alloc(0), 'buffer');
  return crypto.createHmac('sha256', key).update(data).digest('hex');
}
