// The published file set, as data: relative path -> content and mode. Pure; the writer does the I/O.
// Names follow the Kubernetes TLS secret (tls.crt, tls.key, ca.crt); compose files and pod specs
// hard-code them, so they are a contract.
import crypto from 'node:crypto';
import type { Converted } from '../convert/index.js';
import { pkcs8Der } from '../convert/pem.js';
import type { PfxProfile } from '../convert/pfx.js';
import { fail } from '../findings.js';
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

/** The files of a generation, from what convert/ made of the material. */
export function buildFileSet(m: Material, v: Validated, o: LayoutOptions, generation: string, c: Converted): FileSet {
  if (o.kestrelFormat === 'pfx' && /[\r\n]/.test(o.outputPassword)) {
    fail(
      'CONFIG_INVALID',
      'the output password holds a line break, which kestrel.env cannot carry',
      'use a password without line breaks (KCS_OUTPUT_PASSWORD_FILE: one trailing newline is stripped)',
    );
  }
  const files: FileSet = new Map();
  const text = (s: string, mode = MODE_PUBLIC) => ({ data: Buffer.from(s, 'utf8'), mode });
  const { pfx } = c;
  files.set('tls.crt', text(c.tlsCrt));
  files.set('tls.key', text(c.tlsKey, MODE_SECRET));
  files.set('ca.crt', text(c.caCrt));
  files.set('cert.pfx', { data: pfx, mode: MODE_SECRET });
  if (o.passwordOrigin === 'generated') files.set('cert.password', text(o.outputPassword, MODE_SECRET));
  const settings = kestrelSettings(o.kestrelFormat, o.mountPath, o.outputPassword);
  const envMode = settings.Password === undefined ? MODE_PUBLIC : MODE_SECRET;
  files.set('kestrel.env', text(kestrelEnv(settings, o.kestrelEndpoints), envMode));
  files.set('kestrel.json', text(kestrelJson(settings, o.kestrelEndpoints), envMode));
  files.set('trust/ca-bundle.crt', { data: caBundle(v.anchors), mode: MODE_PUBLIC });
  for (const [name, pem] of hashedNames(v.anchors)) files.set(`trust/certs/${name}`, text(pem));

  if (o.appName && o.userSecretsId) {
    // Kestrel's development-certificate lookup: $APPDATA/ASP.NET/https/<app>.pfx, its password from
    // user secrets, which .NET reads from $APPDATA/Microsoft/UserSecrets/<id>/secrets.json.
    files.set(`appdata/ASP.NET/https/${o.appName}.pfx`, { data: pfx, mode: MODE_SECRET });
    const secrets = { 'Kestrel:Certificates:Development:Password': o.outputPassword };
    files.set(
      `appdata/Microsoft/UserSecrets/${o.userSecretsId}/secrets.json`,
      text(`${JSON.stringify(secrets, null, 2)}\n`, MODE_SECRET),
    );
  }

  const leaf = summarize(m.leaf, o.now);
  const manifest = {
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
    chain: v.chain.map((c) => summarize(c, o.now)),
    ca: v.anchors.map((c) => summarize(c, o.now)),
    source: { kind: m.source.kind, files: m.source.files, ...m.source.details },
    kestrel: {
      format: o.kestrelFormat,
      mountPath: o.mountPath,
      pfxProfile: o.pfxProfile,
      pfx: c.pfxFrom,
      outputPassword: o.passwordOrigin,
    },
    files: [...files.keys(), 'manifest.json'].sort(),
  };
  files.set('manifest.json', text(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}
