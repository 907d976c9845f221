// Password-based encryption and MACs of PKCS#12 and PKCS#8, on native crypto.
// RFC 7292 (PKCS#12 KDF and PBE), RFC 8018 (PBES2, PBKDF2), RFC 9579 (PBMAC1).
// RC2 is the one cipher OpenSSL 3 keeps in its legacy provider, which Node does not load, so it
// alone runs on node-forge; the data it protects (a certificate bag) is a few kilobytes.
import crypto from 'node:crypto';
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/rc2.js';
import { algorithm, corrupt, octets, seq, uint, type AlgorithmIdentifier } from './asn1.js';
import { type KcsError, raise } from '../findings.js';
import { messages } from '../messages/index.js';
import { MAX_ITERATIONS_PER_KDF, MAX_ITERATIONS_TOTAL } from '../limits.js';
import { OID } from './oids.js';

export const DIGESTS: Record<string, { name: string; u: number; v: number }> = {
  [OID.sha1]: { name: 'sha1', u: 20, v: 64 },
  [OID.sha224]: { name: 'sha224', u: 28, v: 64 },
  [OID.sha256]: { name: 'sha256', u: 32, v: 64 },
  [OID.sha384]: { name: 'sha384', u: 48, v: 128 },
  [OID.sha512]: { name: 'sha512', u: 64, v: 128 },
};
export const HMACS: Record<string, string> = {
  [OID.hmacSha1]: OID.sha1,
  [OID.hmacSha224]: OID.sha224,
  [OID.hmacSha256]: OID.sha256,
  [OID.hmacSha384]: OID.sha384,
  [OID.hmacSha512]: OID.sha512,
};
const PBES2_CIPHERS: Record<string, { name: string; keyLen: number; label: string }> = {
  [OID.aes128cbc]: { name: 'aes-128-cbc', keyLen: 16, label: 'AES-128-CBC' },
  [OID.aes192cbc]: { name: 'aes-192-cbc', keyLen: 24, label: 'AES-192-CBC' },
  [OID.aes256cbc]: { name: 'aes-256-cbc', keyLen: 32, label: 'AES-256-CBC' },
  [OID.desEde3cbc]: { name: 'des-ede3-cbc', keyLen: 24, label: '3DES-CBC' },
};
/** PKCS#12 PBE schemes (RFC 7292 appendix C): SHA-1 KDF, then this cipher. */
const PKCS12_PBE: Record<string, { cipher: string; keyLen: number; rc2Bits?: number; label: string; legacy: boolean }> =
  {
    // `legacy`: OpenSSL 3 reads it only with its legacy provider. Seen with OpenSSL 3.0: 3DES and 2DES
    // PBEs open with the default provider; RC2 (and RC4, DES) do not.
    [OID.pbeSha1TripleDes3]: { cipher: 'des-ede3-cbc', keyLen: 24, label: 'PBE-SHA1-3DES', legacy: false },
    [OID.pbeSha1TripleDes2]: { cipher: 'des-ede-cbc', keyLen: 16, label: 'PBE-SHA1-2DES', legacy: false },
    [OID.pbeSha1Rc2_128]: { cipher: 'rc2', keyLen: 16, rc2Bits: 128, label: 'PBE-SHA1-RC2-128', legacy: true },
    [OID.pbeSha1Rc2_40]: { cipher: 'rc2', keyLen: 5, rc2Bits: 40, label: 'PBE-SHA1-RC2-40', legacy: true },
  };

export function unsupported(what: string): KcsError {
  return raise(messages.UNSUPPORTED_ALGORITHM.encryption({ what }));
}

function tooManyIterations(what: string): KcsError {
  return raise(messages.ITERATIONS_TOO_HIGH.exceeded({ what }));
}

/**
 * Counts key-derivation iterations across one file. Every KDF is charged here before it runs, so a
 * file that asks for billions of iterations is refused before any work, not after.
 */
export class IterationBudget {
  total = 0;
  max = 0;
  min = Infinity;
  /** Counts a KDF the file asks for, once, when it is first seen (before anything runs). */
  charge(iterations: number, what: string): void {
    this.check(iterations, what);
    if (this.total + iterations > MAX_ITERATIONS_TOTAL) {
      throw tooManyIterations(
        `the file asks for ${fmt(this.total + iterations)} iterations in total, ` +
          `more than the limit of ${fmt(MAX_ITERATIONS_TOTAL)}`,
      );
    }
    this.total += iterations;
    this.max = Math.max(this.max, iterations);
    this.min = Math.min(this.min, iterations);
  }
  /** Guards one run of a KDF: the per-KDF cap. Trying two candidate passwords costs no more budget. */
  check(iterations: number, what: string): void {
    if (!(iterations >= 1)) throw corrupt(`${what} has an iteration count of ${iterations}`);
    if (iterations > MAX_ITERATIONS_PER_KDF) {
      throw tooManyIterations(
        `${what} asks for ${fmt(iterations)} iterations, more than the limit of ${fmt(MAX_ITERATIONS_PER_KDF)}`,
      );
    }
  }
}
const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'over 2^53');

// ---- key derivation ----

/** The password as PKCS#12 KDFs take it: BMPString (UTF-16BE) with a two-byte terminator.
 *  `null` is "no password" (empty input); "" is the empty password (just the terminator). */
export function bmpPassword(password: string | null): Buffer {
  if (password === null) return Buffer.alloc(0);
  return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
}

/** RFC 7292 B.2. id 1 = key, 2 = IV, 3 = MAC key. Iterated hashing runs natively, one call a round. */
export function pkcs12Kdf(
  digestOid: string,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
): Buffer {
  const d = DIGESTS[digestOid];
  if (!d) throw unsupported(`the MAC digest ${digestOid} is not supported`);
  const { u, v, name } = d;
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    // Each round hashes the previous digest in place. Asking crypto.hash for a latin1 ('binary') string and
    // writing it back into the same buffer is ~3x faster than its 'buffer' output, which takes a slow
    // path on every call, and leaves the least garbage (one 32-byte string a round).
    const A = Buffer.from(crypto.hash(name, Buffer.concat([D, I]), 'binary'), 'latin1');
    for (let r = 1; r < iterations; r++) A.write(crypto.hash(name, A, 'binary'), 'latin1');
    out.push(A);
    if (produced + u >= n) break;
    // I_j = (I_j + B + 1) mod 2^(8v), where B is A repeated to v bytes.
    const B = fill(A).subarray(0, v);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

interface Pbkdf2Params {
  salt: Buffer;
  iterations: number;
  keyLength?: number;
  prf: string; // digest name
}

export function readPbkdf2(alg: AlgorithmIdentifier, what: string): Pbkdf2Params {
  if (alg.oid !== OID.pbkdf2) throw unsupported(`${what} uses the key derivation ${alg.oid}; only PBKDF2 is supported`);
  const fields = seq(alg.params, `${what} PBKDF2 parameters`, 2);
  const salt = octets(fields[0], `${what} PBKDF2 salt`);
  const iterations = uint(fields[1], `${what} PBKDF2 iteration count`);
  let rest = fields.slice(2);
  let keyLength: number | undefined;
  if (rest[0] && rest[0].type === 2) {
    keyLength = uint(rest[0], `${what} PBKDF2 key length`);
    rest = rest.slice(1);
  }
  let prf = 'sha1';
  if (rest[0]) {
    const p = algorithm(rest[0], `${what} PBKDF2 PRF`);
    const digest = HMACS[p.oid];
    if (!digest) throw unsupported(`${what} uses the PBKDF2 PRF ${p.oid}`);
    prf = DIGESTS[digest]!.name;
  }
  return { salt, iterations, prf, ...(keyLength !== undefined ? { keyLength } : {}) };
}

interface Pbes2Params {
  kdf: Pbkdf2Params;
  cipherOid: string;
  /** With its IV (each cipher we know is CBC, whose parameters are the IV); undefined for a cipher we
   *  cannot decrypt (pbeDecrypt refuses it, describeEncryption calls it unknown). */
  cipher: ((typeof PBES2_CIPHERS)[string] & { iv: Buffer }) | undefined;
}

/** PBES2-params (RFC 8018 A.4): the PBKDF2 parameters, then the cipher and its IV. The one reader of
 *  them: counting the iterations, decrypting and describing all read a PBES2 identifier through it. */
export function readPbes2(alg: AlgorithmIdentifier, what: string): Pbes2Params {
  const [kdfNode, encNode] = seq(alg.params, `${what} PBES2 parameters`, 2);
  const kdf = readPbkdf2(algorithm(kdfNode, `${what} key derivation`), what);
  const enc = algorithm(encNode, `${what} cipher`);
  const known = PBES2_CIPHERS[enc.oid];
  return { kdf, cipherOid: enc.oid, cipher: known && { ...known, iv: octets(enc.params, `${what} IV`) } };
}

/** pkcs-12PbeParams (RFC 7292 appendix C): the salt and the iteration count. */
function readPkcs12Pbe(alg: AlgorithmIdentifier, what: string): { salt: Buffer; iterations: number } {
  const [saltNode, iterNode] = seq(alg.params, `${what} PBE parameters`, 2);
  return { salt: octets(saltNode, `${what} salt`), iterations: uint(iterNode, `${what} iteration count`) };
}

/** The iteration count an encryption AlgorithmIdentifier asks for, read without running anything. */
export function iterationsOf(alg: AlgorithmIdentifier, what: string): number {
  if (alg.oid === OID.pbes2) return readPbes2(alg, what).kdf.iterations;
  if (PKCS12_PBE[alg.oid]) return readPkcs12Pbe(alg, what).iterations;
  throw unsupported(`${what} uses the encryption ${describeOid(alg.oid)}`);
}

// describeEncryption and isModernEncryption run on parts that were decrypted already, so their
// identifiers were read once without fault: the `what` of their readPbes2 never reaches a user.
export function describeEncryption(alg: AlgorithmIdentifier): { label: string; legacy: boolean } {
  const p = PKCS12_PBE[alg.oid];
  if (p) return { label: p.label, legacy: p.legacy };
  if (alg.oid === OID.pbes2) {
    const { cipher } = readPbes2(alg, 'the encryption');
    return { label: `PBES2 ${cipher?.label ?? 'unknown cipher'}`, legacy: cipher === undefined };
  }
  return { label: describeOid(alg.oid), legacy: true };
}

/** PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: the encryption of the modern profile. */
export function isModernEncryption(alg: AlgorithmIdentifier): boolean {
  if (alg.oid !== OID.pbes2) return false;
  const { kdf, cipherOid } = readPbes2(alg, 'the encryption');
  return kdf.prf === 'sha256' && cipherOid === OID.aes256cbc && (kdf.keyLength === undefined || kdf.keyLength === 32);
}

function describeOid(oid: string): string {
  const known: Record<string, string> = {
    [OID.pbeSha1Rc4_128]: 'PBE-SHA1-RC4-128 (RC4 is broken and unsupported)',
    [OID.pbeSha1Rc4_40]: 'PBE-SHA1-RC4-40 (RC4 is broken and unsupported)',
    '1.2.840.113549.1.5.3': 'PBE-MD5-DES (PKCS#5 v1.5, unsupported)',
    '1.2.840.113549.1.5.6': 'PBE-MD5-RC2 (PKCS#5 v1.5, unsupported)',
    '1.2.840.113549.1.5.10': 'PBE-SHA1-DES (PKCS#5 v1.5, unsupported)',
    '1.2.840.113549.1.5.11': 'PBE-SHA1-RC2 (PKCS#5 v1.5, unsupported)',
  };
  return known[oid] ?? `unknown algorithm ${oid}`;
}

// ---- decryption ----

/** Thrown when a key decrypts to garbage: the password is wrong (or, after a good MAC, the file is corrupt). */
export class BadDecrypt extends Error {}

function nativeDecrypt(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = crypto.createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch (err) {
    throw new BadDecrypt('decryption failed', { cause: err });
  }
}

function rc2Decrypt(key: Buffer, bits: number, iv: Buffer, data: Buffer): Buffer {
  if (data.length % 8 !== 0) throw new BadDecrypt('RC2 data is not a whole number of blocks');
  const c = forge.rc2.createDecryptionCipher(key.toString('latin1'), bits);
  c.start(iv.toString('latin1'));
  c.update(forge.util.createBuffer(data.toString('latin1')));
  // node-forge's own unpadding only checks that the count is not past the data, so almost every wrong key
  // "succeeds". PKCS#7 padding (RFC 2315 10.3) is 1 to 8 bytes, each of them the count: check them all.
  c.finish(() => true);
  const out = Buffer.from(c.output.getBytes(), 'latin1');
  const pad = out.at(-1)!;
  if (pad < 1 || pad > 8 || out.subarray(-pad).some((b) => b !== pad)) throw new BadDecrypt('RC2 padding is wrong');
  return out.subarray(0, out.length - pad);
}

/** Decrypts data protected by a PKCS#12 PBE or PBES2 AlgorithmIdentifier. Charges the budget first. */
export function pbeDecrypt(
  alg: AlgorithmIdentifier,
  data: Buffer,
  password: string | null,
  budget: IterationBudget,
  what: string,
): Buffer {
  const scheme = PKCS12_PBE[alg.oid];
  if (scheme) {
    const { salt, iterations } = readPkcs12Pbe(alg, what);
    budget.check(iterations, what);
    const pw = bmpPassword(password);
    const key = pkcs12Kdf(OID.sha1, pw, salt, 1, iterations, scheme.keyLen);
    const iv = pkcs12Kdf(OID.sha1, pw, salt, 2, iterations, 8);
    return scheme.rc2Bits ? rc2Decrypt(key, scheme.rc2Bits, iv, data) : nativeDecrypt(scheme.cipher, key, iv, data);
  }
  if (alg.oid === OID.pbes2) {
    const { kdf, cipherOid, cipher } = readPbes2(alg, what);
    if (!cipher) throw unsupported(`${what} uses the cipher ${cipherOid}; supported are AES-CBC and 3DES-CBC`);
    budget.check(kdf.iterations, what);
    // OpenSSL 3, .NET and Windows all feed PBKDF2 the UTF-8 bytes of the password.
    const key = crypto.pbkdf2Sync(
      Buffer.from(password ?? '', 'utf8'),
      kdf.salt,
      kdf.iterations,
      kdf.keyLength ?? cipher.keyLen,
      kdf.prf,
    );
    return nativeDecrypt(cipher.name, key, cipher.iv, data);
  }
  throw unsupported(`${what} uses the encryption ${describeOid(alg.oid)}`);
}
