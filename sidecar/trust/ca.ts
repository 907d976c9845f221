// Which CA `trust` works on: --ca FILE, else the development CA in KCS_STATE, else the ca.crt of the
// live set in KCS_OUTPUT (read through the live-set reader: the output may be hostile, and nothing it
// holds may make `trust --print` print anything but a public certificate).
import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../settings/config.js';
import { KcsError, fail } from '../findings.js';
import { readInput } from '../load/files.js';
import { readPublished } from '../publish/published.js';

export interface TrustCa {
  cert: crypto.X509Certificate;
  /** The first certificate of the file, as PEM. */
  pem: string;
  /** Where it was read from, for the messages. */
  file: string;
  /** SHA-256 and SHA-1 thumbprints, upper-case hex without colons (SHA-1 is what macOS and Windows index by). */
  sha256: string;
  sha1: string;
  /** The name it is installed under everywhere, from its fingerprint: how --uninstall and --status find it. */
  name: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export function describeCa(bytes: Buffer, file: string): TrustCa {
  const text = bytes.toString('latin1');
  const pem = PEM_CERT.exec(text)?.[0];
  let cert: crypto.X509Certificate;
  try {
    cert = new crypto.X509Certificate(pem ?? bytes);
  } catch (err) {
    throw new KcsError(
      {
        code: 'FILE_CORRUPT',
        message: `${file} holds no certificate (PEM or DER)`,
        hint: 'pass the CA certificate with --ca FILE, such as the ca.crt that init published',
        file,
      },
      { cause: err },
    );
  }
  if (!cert.ca)
    fail(
      'CONFIG_INVALID',
      `${file} is not a CA certificate (${cert.subject.replace(/\n/g, ', ')})`,
      'trust the CA that issued the certificate, such as the ca.crt that init published, not the server certificate',
      file,
    );
  const der = cert.raw;
  const sha256 = crypto.createHash('sha256').update(der).digest('hex').toUpperCase();
  return {
    cert,
    pem: `${cert.toString().trim()}\n`,
    file,
    sha256,
    sha1: crypto.createHash('sha1').update(der).digest('hex').toUpperCase(),
    name: `kestrel-cert-sidecar-${sha256.slice(0, 16).toLowerCase()}`,
  };
}

export function findCa(cfg: Config): TrustCa {
  if (cfg.trust.ca !== undefined) return describeCa(readInput(cfg.trust.ca), cfg.trust.ca);
  if (cfg.state !== undefined) {
    const file = path.join(cfg.state, 'ca', 'ca.crt');
    try {
      return describeCa(readInput(file), file);
    } catch (err) {
      // No CA there yet: try the output. Anything else (permission denied) is the answer.
      if (!(err instanceof KcsError && err.finding.code === 'SOURCE_NOT_FOUND')) throw err;
    }
  }
  const live = readPublished(cfg.output, ['ca.crt'], true).files.get('ca.crt');
  if (live) return describeCa(live, path.join(cfg.output, 'ca.crt'));
  const where = [
    ...(cfg.state !== undefined ? [path.join(cfg.state, 'ca', 'ca.crt')] : []),
    path.join(cfg.output, 'ca.crt'),
  ].join(' nor ');
  return fail(
    'SOURCE_NOT_FOUND',
    `no CA to trust: neither ${where} exists`,
    'run `kestrel-cert-sidecar init` first (it creates the development CA), or pass the CA with --ca FILE',
    cfg.state ?? cfg.output,
  );
}
