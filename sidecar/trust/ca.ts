// Which CA `trust` works on: --ca FILE, else the development CA in KCS_STATE. The ca.crt of the live
// set in KCS_OUTPUT only when --ca names it: the output may be hostile (docs/threat-model.md).
import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../settings/config.js';
import { KcsError, fail } from '../findings.js';
import { messages } from '../messages/index.js';
import { readInput } from '../load/files.js';
import { certName, oneLine, subjectOf } from '../pkix/x509info.js';

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
    fail(messages.FILE_CORRUPT.trustCa({ file }), file, err);
  }
  if (!cert.ca)
    fail(messages.CONFIG_INVALID.trustNotCa({ file, subject: oneLine(subjectOf(cert)) || certName(cert) }), file);
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

/**
 * The CA `trust` works on: --ca FILE, else the development CA of KCS_STATE. Never the ca.crt of
 * KCS_OUTPUT unless --ca names it: the volume is writable by other containers when a mount forgets
 * `:ro` (docs/threat-model.md), and `trust --install` as root would put whatever it holds into the
 * system store of this machine.
 */
export function findCa(cfg: Config, sys: CaSystem): TrustCa {
  if (cfg.trust.ca !== undefined) return describeCa(readInput(cfg.trust.ca), cfg.trust.ca);
  if (cfg.state === undefined) fail(messages.SOURCE_NOT_FOUND.noTrustState());
  const file = stateCaFile(cfg.state);
  try {
    return describeCa(readInput(file), file);
  } catch (err) {
    if (!(err instanceof KcsError && err.finding.code === 'SOURCE_NOT_FOUND')) throw err;
    // As root through sudo, the state is root's: the fix says how to hand the user's CA over.
    const sudoUser = sys.isRoot ? sys.env.SUDO_USER || undefined : undefined;
    const action = cfg.trust.action ?? 'install';
    return fail(messages.SOURCE_NOT_FOUND.noTrustCa({ file, sudoUser, action }), file, err);
  }
}
