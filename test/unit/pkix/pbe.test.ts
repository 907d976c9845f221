// The PBE readers of sidecar/pkix/pbe.ts on identifiers that OpenSSL 3 writes (`openssl pkcs8 -topk8`
// with each cipher and PRF) and that our own writer (pbe-write.ts) writes: readPbes2, the one reader of
// PBES2 parameters, and what counting, describing and decrypting take from it.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import {
  type AlgorithmIdentifier,
  algorithm,
  build,
  octets,
  parseDer,
  seq,
  toDer,
} from '../../../sidecar/pkix/asn1.js';
import { OID } from '../../../sidecar/pkix/oids.js';
import {
  BadDecrypt,
  IterationBudget,
  describeEncryption,
  isModernEncryption,
  iterationsOf,
  pbeDecrypt,
  readPbes2,
} from '../../../sidecar/pkix/pbe.js';
import { pbeEncryptor } from '../../../sidecar/pkix/pbe-write.js';
import { fixture } from '../../support/helpers.js';

/** An EncryptedPrivateKeyInfo written by OpenSSL 3 from the P-256 fixture key, split into its two parts. */
function opensslPkcs8(args: string[]): { alg: AlgorithmIdentifier; data: Buffer } {
  const der = execFileSync('openssl', [
    'pkcs8',
    '-topk8',
    '-in',
    fixture('p256.key'),
    '-outform',
    'DER',
    '-passout',
    'pass:pw',
    ...args,
  ]);
  const [algNode, dataNode] = seq(parseDer(der, 'x'), 'x', 2);
  return { alg: algorithm(algNode, 'x'), data: octets(dataNode, 'x') };
}
const plainKey = () =>
  crypto.createPrivateKey(execFileSync('openssl', ['pkey', '-in', fixture('p256.key')])).export({
    format: 'der',
    type: 'pkcs8',
  });
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KcsError) return `${err.code} ${err.finding.message}`;
    throw err;
  }
  throw new Error('accepted');
}
/** A PBES2 identifier with the given KDF and cipher nodes, as a reader sees it. */
const pbes2 = (kdf: ReturnType<typeof build.seq>, enc: ReturnType<typeof build.seq>): AlgorithmIdentifier =>
  algorithm(parseDer(toDer(build.seq(build.oid(OID.pbes2), build.seq(kdf, enc))), 'x'), 'x');
const pbkdf2 = (...fields: ReturnType<typeof build.seq>[]) => build.seq(build.oid(OID.pbkdf2), build.seq(...fields));
const aes256 = build.seq(build.oid(OID.aes256cbc), build.octets(Buffer.alloc(16, 7)));

describe('readPbes2 reads what OpenSSL 3 writes', () => {
  it.each([
    ['aes-256-cbc', 'hmacWithSHA256', 'sha256', 'AES-256-CBC', 16, true],
    ['aes-128-cbc', 'hmacWithSHA512', 'sha512', 'AES-128-CBC', 16, false],
    ['aes-192-cbc', 'hmacWithSHA384', 'sha384', 'AES-192-CBC', 16, false],
    ['aes-256-cbc', 'hmacWithSHA1', 'sha1', 'AES-256-CBC', 16, false],
    ['aes-256-cbc', 'hmacWithSHA224', 'sha224', 'AES-256-CBC', 16, false],
    ['des3', 'hmacWithSHA256', 'sha256', '3DES-CBC', 8, false],
  ])('-v2 %s -v2prf %s', (cipher, prfName, prf, label, ivBytes, modern) => {
    const { alg, data } = opensslPkcs8(['-v2', cipher, '-v2prf', prfName, '-iter', '1234']);
    const p = readPbes2(alg, 'the private key');
    expect(p.kdf).toMatchObject({ iterations: 1234, prf });
    expect(p.kdf.salt.length).toBeGreaterThanOrEqual(8);
    expect(p.cipher?.label).toBe(label);
    expect(p.cipher?.iv).toHaveLength(ivBytes);
    expect(iterationsOf(alg, 'the private key')).toBe(1234);
    expect(describeEncryption(alg)).toEqual({ label: `PBES2 ${label}`, legacy: false });
    expect(isModernEncryption(alg)).toBe(modern);
    const plain = pbeDecrypt(alg, data, 'pw', new IterationBudget(), 'the private key');
    expect(plain.equals(plainKey())).toBe(true);
    expect(() => pbeDecrypt(alg, data, 'not-pw', new IterationBudget(), 'the private key')).toThrow(BadDecrypt);
  });

  it('a cipher it cannot decrypt is read, described as unknown, and refused when decrypting', () => {
    const { alg, data } = opensslPkcs8(['-v2', 'camellia-256-cbc', '-iter', '1000']);
    const p = readPbes2(alg, 'the private key');
    expect(p.cipher).toBeUndefined();
    expect(p.cipherOid).toBe('1.2.392.200011.61.1.1.1.4');
    expect(iterationsOf(alg, 'the private key')).toBe(1000);
    expect(describeEncryption(alg)).toEqual({ label: 'PBES2 unknown cipher', legacy: true });
    expect(isModernEncryption(alg)).toBe(false);
    expect(refusal(() => pbeDecrypt(alg, data, 'pw', new IterationBudget(), 'the private key'))).toBe(
      'UNSUPPORTED_ALGORITHM the private key uses the cipher 1.2.392.200011.61.1.1.1.4; ' +
        'supported are AES-CBC and 3DES-CBC',
    );
  });

  it('the PKCS#12 PBEs: counted, described, and decrypted (3DES natively)', () => {
    const { alg, data } = opensslPkcs8(['-v1', 'PBE-SHA1-3DES', '-iter', '777']);
    expect(iterationsOf(alg, 'the private key')).toBe(777);
    expect(describeEncryption(alg)).toEqual({ label: 'PBE-SHA1-3DES', legacy: false });
    expect(isModernEncryption(alg)).toBe(false);
    expect(pbeDecrypt(alg, data, 'pw', new IterationBudget(), 'the private key').equals(plainKey())).toBe(true);
  });
});

describe('readPbes2 reads what our writer writes', () => {
  it('the modern profile: PBKDF2-HMAC-SHA256, 16-byte salt, AES-256-CBC, and one key for every part', () => {
    const encrypt = pbeEncryptor({ kind: 'pbes2-aes256-sha256', iterations: 2048, saltBytes: 16 }, 'pässwörd');
    const a = encrypt(Buffer.from('first part'));
    const b = encrypt(Buffer.from('second part'));
    const [pa, pb] = [a, b].map((x) => algorithm(parseDer(toDer(x.alg), 'x'), 'x'));
    const [ra, rb] = [pa!, pb!].map((alg) => readPbes2(alg, 'x'));
    expect(ra!.kdf).toMatchObject({ iterations: 2048, prf: 'sha256' });
    expect(ra!.kdf.salt.equals(rb!.kdf.salt)).toBe(true);
    expect(ra!.cipher!.iv.equals(rb!.cipher!.iv)).toBe(false);
    expect(isModernEncryption(pa!)).toBe(true);
    const budget = new IterationBudget();
    expect(pbeDecrypt(pb!, b.data, 'pässwörd', budget, 'x').toString()).toBe('second part');
  });

  it('legacy-3des: PBE-SHA1-3DES with a salt of its own per part', () => {
    const encrypt = pbeEncryptor({ kind: 'pkcs12-3des', iterations: 2048, saltBytes: 8 }, 'pw');
    const part = encrypt(Buffer.from('certificates'));
    const alg = algorithm(parseDer(toDer(part.alg), 'x'), 'x');
    expect(describeEncryption(alg)).toEqual({ label: 'PBE-SHA1-3DES', legacy: false });
    expect(iterationsOf(alg, 'x')).toBe(2048);
    expect(pbeDecrypt(alg, part.data, 'pw', new IterationBudget(), 'x').toString()).toBe('certificates');
  });
});

describe('readPbes2 refuses a malformed or unsupported identifier with the part it names', () => {
  const salt = build.octets(Buffer.alloc(8, 1));
  it.each([
    [
      'a KDF other than PBKDF2',
      pbes2(build.seq(build.oid('1.3.6.1.4.1.11591.4.11'), build.seq(salt)), aes256),
      'UNSUPPORTED_ALGORITHM the key uses the key derivation 1.3.6.1.4.1.11591.4.11; only PBKDF2 is supported',
    ],
    [
      'a PRF other than an HMAC',
      pbes2(pbkdf2(salt, build.int(10), build.seq(build.oid(OID.sha256), build.null())), aes256),
      `UNSUPPORTED_ALGORITHM the key uses the PBKDF2 PRF ${OID.sha256}`,
    ],
    [
      'PBKDF2 parameters without an iteration count',
      pbes2(pbkdf2(salt), aes256),
      'FILE_CORRUPT the key PBKDF2 parameters has 1 fields, expected at least 2',
    ],
    [
      'a cipher without its IV',
      pbes2(pbkdf2(salt, build.int(10)), build.seq(build.oid(OID.aes256cbc))),
      'FILE_CORRUPT the key IV is not an OCTET STRING',
    ],
    [
      'a cipher that is not an AlgorithmIdentifier',
      pbes2(pbkdf2(salt, build.int(10)), build.set(build.oid(OID.aes256cbc))),
      'FILE_CORRUPT the key cipher is not a SEQUENCE',
    ],
    [
      'a key derivation that is not an AlgorithmIdentifier',
      pbes2(build.set(build.oid(OID.pbkdf2)), aes256),
      'FILE_CORRUPT the key key derivation is not a SEQUENCE',
    ],
  ])('%s', (_, alg, message) => {
    expect(refusal(() => readPbes2(alg, 'the key'))).toBe(message);
    expect(refusal(() => iterationsOf(alg, 'the key'))).toBe(message);
  });

  it('PBES2 parameters with only a KDF', () => {
    const alg = algorithm(
      parseDer(toDer(build.seq(build.oid(OID.pbes2), build.seq(pbkdf2(salt, build.int(10))))), 'x'),
      'x',
    );
    expect(refusal(() => readPbes2(alg, 'the key'))).toBe(
      'FILE_CORRUPT the key PBES2 parameters has 1 fields, expected at least 2',
    );
  });

  it('reads the optional key length, and the PRF defaults to HMAC-SHA1', () => {
    const p = readPbes2(pbes2(pbkdf2(salt, build.int(10), build.int(16)), aes256), 'x');
    expect(p.kdf).toMatchObject({ iterations: 10, keyLength: 16, prf: 'sha1' });
    expect(isModernEncryption(pbes2(pbkdf2(salt, build.int(10), build.int(16)), aes256))).toBe(false);
    const withSha256 = build.seq(build.oid(OID.hmacSha256), build.null());
    expect(isModernEncryption(pbes2(pbkdf2(salt, build.int(10), build.int(32), withSha256), aes256))).toBe(true);
  });
});
