// Which CA `trust` works on: --ca FILE, else the development CA in KCS_STATE. The ca.crt of the live
// set in KCS_OUTPUT only when --ca names it: the output may be hostile (docs/threat-model.md).
import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../settings/config.js';
import { KcsError, fail } from '../findings.js';
import { readInput } from '../load/files.js';

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
        hint: 'pass the CA certificate with --ca FILE: the ca/ca.crt of KCS_STATE, or what `trust --print` writes',
        file,
      },
      { cause: err },
    );
  }
  if (!cert.ca)
    fail(
      'CONFIG_INVALID',
      `${file} is not a CA certificate (${cert.subject.replace(/\n/g, ', ')})`,
      'trust the CA that issued the certificate (the ca/ca.crt of KCS_STATE, or what `trust --print` writes), not ' +
        'the server certificate',
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

/** What findCa needs of the machine (trust/system.ts has the real one). */
// Its own shape, not a Pick of system.ts' System: system.ts imports TrustCa from here (no import cycles).
export interface CaSystem {
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
}

/** Where `trust` looks when --ca is not given: the development CA of KCS_STATE. */
export const stateCaFile = (state: string) => path.join(state, 'ca', 'ca.crt');

/** The fix when the state holds no CA: under sudo, root's own state is empty (its HOME is root's). */
function noCaHint(cfg: Config, sys: CaSystem): string {
  const env = sys.env;
  if (sys.isRoot && env.SUDO_USER)
    return (
      `this ran as root (sudo), whose state holds no CA: as ${env.SUDO_USER}, run ` +
      `\`kestrel-cert-sidecar trust --print > ca.crt\`, ` +
      `then \`sudo kestrel-cert-sidecar trust --${cfg.trust.action ?? 'install'} --ca ca.crt\``
    );
  return (
    'run `kestrel-cert-sidecar init` first (it creates the development CA there), or pass the CA with --ca FILE ' +
    '(what `trust --print` writes where the CA lives)'
  );
}

/**
 * The CA `trust` works on: --ca FILE, else the development CA of KCS_STATE. Never the ca.crt of
 * KCS_OUTPUT unless --ca names it: the volume is writable by other containers when a mount forgets
 * `:ro` (docs/threat-model.md), and `trust --install` as root would put whatever it holds into the
 * system store of this machine.
 */
export function findCa(cfg: Config, sys: CaSystem): TrustCa {
  if (cfg.trust.ca !== undefined) return describeCa(readInput(cfg.trust.ca), cfg.trust.ca);
  const why =
    "trust takes the CA from KCS_STATE or --ca, never from the output's ca.crt, which other containers can write";
  if (cfg.state === undefined)
    fail(
      'SOURCE_NOT_FOUND',
      `no development CA to trust: KCS_STATE is unset, so the CA of the last run lived for that run only; ${why}`,
      'set KCS_STATE to where init keeps the CA (in the image: mount its volume at /state), or pass the CA with ' +
        '--ca FILE',
    );
  const file = stateCaFile(cfg.state);
  try {
    return describeCa(readInput(file), file);
  } catch (err) {
    if (!(err instanceof KcsError && err.finding.code === 'SOURCE_NOT_FOUND')) throw err;
    return fail('SOURCE_NOT_FOUND', `no development CA in ${file}: ${why}`, noCaHint(cfg, sys), file, err);
  }
}
