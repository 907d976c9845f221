// The local development CA. With KCS_STATE it is created once and reused, so a host trusts it once;
// without, it lives for one run. Its key never leaves the state directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { finding, raise, type Finding } from '../findings.js';
import { messages } from '../messages/index.js';
import { readInput } from '../load/files.js';
import { syncDir, writeDurably } from './durable.js';
import { buildCertificate } from './x509.js';

export interface Ca {
  cert: crypto.X509Certificate;
  key: crypto.KeyObject;
  /** Where it is kept, or undefined for an ephemeral CA. */
  dir?: string;
  created: boolean;
}

/** Ten years: a development CA is trusted by hand once, so it should outlive the machine. */
const CA_LIFETIME_MS = 3650 * 24 * 3600 * 1000;
const MARKER = 'kcs-state.json';
/** The marker names the CA's fingerprint once the CA exists, so a CA that disappears later is
 *  noticed (STATE_INVALID) instead of silently replaced by a new one that no client trusts. */
const markerBody = (ca?: crypto.X509Certificate) =>
  `${JSON.stringify({ tool: 'kestrel-cert-sidecar', format: 1, ...(ca ? { ca: ca.fingerprint256 } : {}) })}\n`;

function markedCa(dir: string): string | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as { ca?: unknown };
    return typeof m.ca === 'string' ? m.ca : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the marker with the CA's fingerprint: a temporary file written durably, renamed over the
 *  marker, and the directory fsynced. A temporary file a crash left (same pid: pid 1 in a container)
 *  is removed first. */
function markCa(dir: string, cert: crypto.X509Certificate): void {
  const tmp = path.join(dir, `.tmp-${MARKER}-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  writeDurably(tmp, markerBody(cert), 0o644);
  fs.renameSync(tmp, path.join(dir, MARKER));
  syncDir(dir);
}

const STATE = messages.STATE_INVALID;
const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** An ECDSA P-256 CA: its key is made in under a millisecond, and every TLS client since 2012 accepts it
 *  under RSA or ECDSA leaves. */
export function createCa(now: Date): Ca {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const id = crypto.randomBytes(4).toString('hex');
  const subject = { cn: `kestrel-cert-sidecar development CA ${id}`, o: 'kestrel-cert-sidecar' };
  const cert = buildCertificate({
    subject,
    notBefore: new Date(now.getTime() - 3600e3),
    notAfter: new Date(now.getTime() + CA_LIFETIME_MS),
    publicKey,
    signingKey: privateKey,
    ca: true,
  });
  return { cert, key: privateKey, created: true };
}

function readCa(dir: string, now: Date): Ca {
  const certFile = path.join(dir, 'ca', 'ca.crt');
  const keyFile = path.join(dir, 'ca', 'ca.key');
  let cert: crypto.X509Certificate;
  let key: crypto.KeyObject;
  try {
    cert = new crypto.X509Certificate(fs.readFileSync(certFile));
  } catch (err) {
    throw raise(
      STATE.caUnreadable({ file: certFile, dir, why: errno(err) ?? 'it is not a certificate' }),
      certFile,
      err,
    );
  }
  try {
    key = crypto.createPrivateKey(fs.readFileSync(keyFile));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const denied = code === 'EACCES';
    const why = denied ? 'permission denied' : (code ?? 'it is not a private key');
    throw raise(STATE.keyUnreadable({ file: keyFile, dir, why, denied }), keyFile, err);
  }
  if (!cert.checkPrivateKey(key)) throw raise(STATE.keyMismatch({ dir, keyFile, certFile }), keyFile);
  if (!cert.ca) throw raise(STATE.notCa({ dir, certFile }), certFile);
  if (cert.validToDate <= now)
    throw raise(STATE.expired({ dir, certFile, at: cert.validToDate.toISOString() }), certFile);
  return { cert, key, dir, created: false };
}

function tryMark(dir: string, cert: crypto.X509Certificate): void {
  try {
    markCa(dir, cert);
  } catch {
    // A read-only state still works; it only cannot record the fingerprint.
  }
}

/** The entries of the state directory (made when missing), without temporary ones. */
function stateEntries(dir: string): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw raise(STATE.cannotCreate({ dir, errno: errno(err) }), dir, err);
  }
  try {
    return fs.readdirSync(dir).filter((e) => !e.startsWith('.tmp-'));
  } catch (err) {
    throw raise(STATE.cannotList({ dir, errno: errno(err), uid: process.getuid?.() }), dir, err);
  }
}

/** The CA a state holds: it must be ours (the marker), the one the marker names, and intact. */
function existingCa(dir: string, entries: string[], marked: string | undefined, now: Date): Ca {
  if (!entries.includes(MARKER)) throw raise(STATE.unmarked({ dir, marker: MARKER }), dir);
  const ca = readCa(dir, now);
  if (marked !== undefined && marked !== ca.cert.fingerprint256)
    throw raise(STATE.otherCa({ dir, caDir: path.join(dir, 'ca'), marked, marker: MARKER }), path.join(dir, 'ca'));
  if (marked === undefined) tryMark(dir, ca.cert); // made by a version that did not record it
  return ca;
}

/** A state without a CA may take a new one only when it is empty (a marker without a CA aside). */
function refuseForeignState(dir: string, entries: string[], marked: string | undefined): void {
  if (marked !== undefined) {
    throw raise(STATE.caGone({ dir, caDir: path.join(dir, 'ca'), marked, markerPath: path.join(dir, MARKER) }), dir);
  }
  if (entries.some((e) => e !== MARKER)) {
    throw raise(STATE.foreign({ dir, entries: entries.slice(0, 3) }), dir);
  }
}

/**
 * Creates the CA in `dir`, atomically and durably, safe against a second sidecar doing the same at once:
 * (1) the key (0400) and the certificate (0444) are written into a temporary directory, each fsynced,
 * and then the directory; (2) the marker is created (a second sidecar may have made it); (3) one rename
 * makes the pair `ca/`, and the state directory is fsynced so the rename survives a power loss; the
 * loser of a race reads the winner's CA; (4) the marker records the CA's fingerprint.
 */
function writeNewCa(dir: string, now: Date): Ca {
  const ca = createCa(now);
  let tmp: string | undefined;
  try {
    tmp = fs.mkdtempSync(path.join(dir, '.tmp-'));
    // (1)
    writeDurably(path.join(tmp, 'ca.key'), ca.key.export({ type: 'pkcs8', format: 'pem' }), 0o400);
    writeDurably(path.join(tmp, 'ca.crt'), ca.cert.toString(), 0o444);
    syncDir(tmp);
    // (2)
    try {
      writeDurably(path.join(dir, MARKER), markerBody(), 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // a second sidecar creating it too
    }
    // (3)
    fs.renameSync(tmp, path.join(dir, 'ca'));
    syncDir(dir);
  } catch (err) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return readCa(dir, now);
    throw raise(STATE.cannotWrite({ dir, errno: code, uid: process.getuid?.() }), dir, err);
  }
  // (4)
  tryMark(dir, ca.cert);
  return { ...ca, dir };
}

/** Loads the CA from `dir`, or creates it there (writeNewCa). */
export function loadOrCreateCa(dir: string, now: Date): Ca {
  const entries = stateEntries(dir);
  const marked = entries.includes(MARKER) ? markedCa(dir) : undefined;
  if (entries.includes('ca')) return existingCa(dir, entries, marked, now);
  refuseForeignState(dir, entries, marked);
  return writeNewCa(dir, now);
}

/**
 * The one key a source may never hold: the development CA's own. Published as tls.key, it would let the
 * app, and every container that reads the volume, issue certificates that every machine trusting the CA
 * accepts. However it arrived (KCS_SOURCE at a copy of the state, a hard link, a key file named outside
 * the source), it is recognised by its public key, compared with the CA in `stateDir` when there is one.
 * Only this key: a self-signed CA:TRUE server certificate of its own is served by Kestrel and accepted by
 * the clients that trust it, and stays accepted.
 */
export function caKeyFinding(
  stateDir: string | undefined,
  key: crypto.KeyObject,
  source: string | undefined,
): Finding | undefined {
  if (stateDir === undefined) return undefined;
  const file = path.join(stateDir, 'ca', 'ca.crt');
  let ca: crypto.X509Certificate;
  try {
    ca = new crypto.X509Certificate(readInput(file));
  } catch {
    return undefined; // no CA there (yet): nothing the key could be
  }
  const spki = (k: crypto.KeyObject) => k.export({ type: 'spki', format: 'der' });
  if (!spki(crypto.createPublicKey(key)).equals(spki(ca.publicKey))) return undefined;
  const data = { source, dir: path.dirname(file), sha256: ca.fingerprint256 };
  return finding(messages.CA_KEY_IN_SOURCE.caKey(data), 'error', source);
}
