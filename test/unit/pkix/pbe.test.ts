// The PBE readers of sidecar/pkix/pbe.ts on identifiers that OpenSSL 3 writes (`openssl pkcs8 -topk8`
// with each cipher and PRF) and that our own writer (pbe-write.ts) writes: readPbes2, the one reader of
// PBES2 parameters, and what counting, describing and decrypting take from it.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { refusal } from './certs.js';
import { describe, expect, it } from 'vitest';
import type { KcsError } from '../../../sidecar/findings.js';
import { MAX_ITERATIONS_PER_KDF, MAX_ITERATIONS_TOTAL } from '../../../sidecar/limits.js';
import {
  type AlgorithmIdentifier,
  algorithm,
  build,
  explicit,
  octets,
  oid,
  parseDer,
  seq,
  toDer,
} from '../../../sidecar/pkix/asn1.js';
import { CONTENT_TYPE, OID } from '../../../sidecar/pkix/oids.js';
import {
  BadDecrypt,
  IterationBudget,
  bmpPassword,
  describeEncryption,
  isModernEncryption,
  iterationsOf,
  pbeDecrypt,
  pkcs12Kdf,
  readPbes2,
} from '../../../sidecar/pkix/pbe.js';
import { pbeEncryptor } from '../../../sidecar/pkix/pbe-write.js';
import { PASS, fixture, readFixture } from '../../support/helpers.js';

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

  it.each([
    [
      'a salt that is not an OCTET STRING',
      pbkdf2(build.int(1), build.int(10)),
      'the key PBKDF2 salt is not an OCTET STRING',
    ],
    [
      'an iteration count that is not an INTEGER',
      pbkdf2(salt, salt),
      'the key PBKDF2 iteration count is not an INTEGER',
    ],
    [
      'an empty INTEGER as key length',
      pbkdf2(salt, build.int(10), { ...build.int(1), value: '' }),
      'the key PBKDF2 key length is not an INTEGER',
    ],
    [
      'a PRF that is not an AlgorithmIdentifier',
      pbkdf2(salt, build.int(10), build.null()),
      'the key PBKDF2 PRF is not a SEQUENCE',
    ],
  ])('PBKDF2 parameters with %s', (_, kdf, message) => {
    const alg = pbes2(kdf, aes256);
    expect(refusal(() => readPbes2(alg, 'the key'))).toBe(`FILE_CORRUPT ${message}`);
  });
  it.each([
    [
      'a salt that is not an OCTET STRING',
      build.seq(build.int(1), build.int(10)),
      'the key salt is not an OCTET STRING',
    ],
    ['an iteration count that is not an INTEGER', build.seq(salt, salt), 'the key iteration count is not an INTEGER'],
    ['one field', build.seq(salt), 'the key PBE parameters has 1 fields, expected at least 2'],
  ])('PKCS#12 PBE parameters with %s', (_, params, message) => {
    const alg = algorithm(parseDer(toDer(build.seq(build.oid(OID.pbeSha1TripleDes3), params)), 'x'), 'x');
    expect(refusal(() => iterationsOf(alg, 'the key'))).toBe(`FILE_CORRUPT ${message}`);
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
    expect(isModernEncryption(pbes2(pbkdf2(salt, build.int(10), withSha256), aes256))).toBe(true);
    // AES-256 keyed with 16 bytes is not the modern profile (and no reader would decrypt it).
    expect(isModernEncryption(pbes2(pbkdf2(salt, build.int(10), build.int(16), withSha256), aes256))).toBe(false);
    const aes128 = build.seq(build.oid(OID.aes128cbc), build.octets(Buffer.alloc(16)));
    expect(isModernEncryption(pbes2(pbkdf2(salt, build.int(10), withSha256), aes128))).toBe(false);
  });
});

describe('pkcs12Kdf gives what OpenSSL 3 gives (`openssl kdf PKCS12KDF`, RFC 7292 B.2)', () => {
  const opensslKdf = (digest: string, pass: Buffer, salt: Buffer, iter: number, id: number, n: number) =>
    execFileSync('openssl', [
      ...['kdf', '-keylen', String(n), '-kdfopt', `digest:${digest}`, '-kdfopt', `hexsalt:${salt.toString('hex')}`],
      ...(pass.length ? ['-kdfopt', `hexpass:${pass.toString('hex')}`] : []),
      ...['-kdfopt', `iter:${iter}`, '-kdfopt', `id:${id}`, 'PKCS12KDF'],
    ])
      .toString()
      .trim()
      .replace(/:/g, '')
      .toLowerCase();
  it.each([
    // digest, password, salt bytes, iterations, id, bytes wanted
    ['SHA1', 'pw', 8, 3, 1, 24], // two rounds, the second cut short
    ['SHA1', 'pw', 8, 1, 2, 8],
    ['SHA1', 'pässwörd-🔐', 20, 7, 1, 5],
    ['SHA1', '', 8, 2, 3, 20], // the empty password: just its terminator
    ['SHA256', 'longer password than one block of sixty-four bytes, to fill I with more than v', 16, 4, 3, 32],
    ['SHA256', 'pw', 3, 2, 1, 70], // three rounds, a salt shorter than a block
    ['SHA512', 'pw', 16, 2, 3, 64],
  ] as const)('%s, "%s", %d-byte salt, %d iterations, id %d, %d bytes', (digest, pw, saltLen, iter, id, n) => {
    const salt = crypto.createHash('sha256').update(`salt ${saltLen}`).digest().subarray(0, saltLen);
    const digestOid = { SHA1: OID.sha1, SHA256: OID.sha256, SHA512: OID.sha512 }[digest];
    const ours = pkcs12Kdf(digestOid, bmpPassword(pw), salt, id, iter, n);
    expect(ours.toString('hex')).toBe(opensslKdf(digest, bmpPassword(pw), salt, iter, id, n));
  });
  it('no password at all is no bytes; the empty password is the terminator', () => {
    expect(bmpPassword(null)).toEqual(Buffer.alloc(0));
    expect(bmpPassword('')).toEqual(Buffer.alloc(2));
    expect(bmpPassword('Aé').toString('hex')).toBe('004100e90000');
    // OpenSSL's kdf command needs a password, so this one is held to RFC 7292 B.2 step 3: no P at all.
    const salt = Buffer.alloc(8, 9);
    const none = pkcs12Kdf(OID.sha1, bmpPassword(null), salt, 1, 1, 20);
    expect(none).toHaveLength(20);
    expect(none.equals(pkcs12Kdf(OID.sha1, bmpPassword(''), salt, 1, 1, 20))).toBe(false);
    const d = Buffer.alloc(64, 1);
    expect(none.toString('hex')).toBe(
      crypto
        .createHash('sha1')
        .update(Buffer.concat([d, Buffer.alloc(64, 9)]))
        .digest('hex'),
    );
  });
  it('refuses a digest it does not know', () => {
    expect(refusal(() => pkcs12Kdf('1.2.840.113549.2.5', Buffer.alloc(2), Buffer.alloc(8), 1, 1, 8))).toBe(
      'UNSUPPORTED_ALGORITHM the MAC digest 1.2.840.113549.2.5 is not supported',
    );
  });
});

describe('IterationBudget charges every KDF before any runs', () => {
  it('adds the counts and keeps the largest and the smallest', () => {
    const b = new IterationBudget();
    b.charge(2048, 'the MAC');
    b.charge(600_000, 'the key');
    b.charge(10, 'the certificates');
    expect([b.total, b.max, b.min]).toEqual([602_058, 600_000, 10]);
  });
  it('refuses a total over the limit, naming both numbers, and takes one exactly at it', () => {
    const b = new IterationBudget();
    b.charge(MAX_ITERATIONS_PER_KDF, 'the MAC');
    b.charge(MAX_ITERATIONS_TOTAL - MAX_ITERATIONS_PER_KDF, 'the key');
    expect(b.total).toBe(MAX_ITERATIONS_TOTAL);
    expect(refusal(() => b.charge(1, 'the certificates'))).toBe(
      `ITERATIONS_TOO_HIGH the file asks for ${(MAX_ITERATIONS_TOTAL + 1).toLocaleString('en-US')} iterations ` +
        `in total, more than the limit of ${MAX_ITERATIONS_TOTAL.toLocaleString('en-US')}`,
    );
    expect(b.total).toBe(MAX_ITERATIONS_TOTAL);
  });
  it.each([
    [0, 'FILE_CORRUPT the key has an iteration count of 0'],
    [-1, 'FILE_CORRUPT the key has an iteration count of -1'],
    [Number.NaN, 'FILE_CORRUPT the key has an iteration count of NaN'],
    [
      MAX_ITERATIONS_PER_KDF + 1,
      `ITERATIONS_TOO_HIGH the key asks for ${(MAX_ITERATIONS_PER_KDF + 1).toLocaleString('en-US')} iterations, ` +
        `more than the limit of ${MAX_ITERATIONS_PER_KDF.toLocaleString('en-US')}`,
    ],
    [
      Number.POSITIVE_INFINITY,
      'ITERATIONS_TOO_HIGH the key asks for over 2^53 iterations, ' +
        `more than the limit of ${MAX_ITERATIONS_PER_KDF.toLocaleString('en-US')}`,
    ],
  ])('check(%d) is refused', (n, message) => {
    expect(refusal(() => new IterationBudget().check(n, 'the key'))).toBe(message);
    expect(refusal(() => new IterationBudget().charge(n, 'the key'))).toBe(message);
  });
  it('takes 1 and the per-KDF limit itself', () => {
    expect(() => new IterationBudget().check(1, 'x')).not.toThrow();
    expect(() => new IterationBudget().check(MAX_ITERATIONS_PER_KDF, 'x')).not.toThrow();
  });
  it('the hint says how to export again, and what .NET allows', () => {
    try {
      new IterationBudget().check(MAX_ITERATIONS_PER_KDF + 1, 'x');
    } catch (err) {
      expect((err as KcsError).finding.hint).toBe(
        `export the file again with at most ${MAX_ITERATIONS_PER_KDF.toLocaleString('en-US')} iterations ` +
          '(OpenSSL: `-iter 2048 -maciter`); .NET itself refuses more than 300,000',
      );
    }
    expect.assertions(1);
  });
  it('pbeDecrypt checks the cap before deriving, for PBES2 and for the PKCS#12 PBEs', () => {
    const salt = build.octets(Buffer.alloc(8, 1));
    const big = MAX_ITERATIONS_PER_KDF * 50;
    const pbe = algorithm(
      parseDer(toDer(build.seq(build.oid(OID.pbeSha1TripleDes3), build.seq(salt, build.int(big)))), 'x'),
      'x',
    );
    for (const alg of [pbes2(pbkdf2(salt, build.int(big)), aes256), pbe]) {
      expect(refusal(() => pbeDecrypt(alg, Buffer.alloc(16), 'pw', new IterationBudget(), 'the key'))).toMatch(
        /^ITERATIONS_TOO_HIGH the key asks for 100,000,000 iterations/,
      );
    }
  });
});

describe('the encryptions it does not decrypt are named', () => {
  it.each([
    [OID.pbeSha1Rc4_128, 'PBE-SHA1-RC4-128 (RC4 is broken and unsupported)'],
    [OID.pbeSha1Rc4_40, 'PBE-SHA1-RC4-40 (RC4 is broken and unsupported)'],
    ['1.2.840.113549.1.5.3', 'PBE-MD5-DES (PKCS#5 v1.5, unsupported)'],
    ['1.2.840.113549.1.5.6', 'PBE-MD5-RC2 (PKCS#5 v1.5, unsupported)'],
    ['1.2.840.113549.1.5.10', 'PBE-SHA1-DES (PKCS#5 v1.5, unsupported)'],
    ['1.2.840.113549.1.5.11', 'PBE-SHA1-RC2 (PKCS#5 v1.5, unsupported)'],
    ['1.2.3.4', 'unknown algorithm 1.2.3.4'],
  ])('%s', (oid, label) => {
    const alg = { oid, params: undefined };
    expect(describeEncryption(alg)).toEqual({ label, legacy: true });
    expect(refusal(() => iterationsOf(alg, 'the key'))).toBe(
      `UNSUPPORTED_ALGORITHM the key uses the encryption ${label}`,
    );
    expect(refusal(() => pbeDecrypt(alg, Buffer.alloc(8), 'pw', new IterationBudget(), 'the key'))).toBe(
      `UNSUPPORTED_ALGORITHM the key uses the encryption ${label}`,
    );
    expect(isModernEncryption(alg)).toBe(false);
  });
  it('the hint of an unsupported algorithm says how to export again', () => {
    try {
      iterationsOf({ oid: '1.2.3.4', params: undefined }, 'x');
    } catch (err) {
      expect((err as KcsError).finding.hint).toBe(
        'export the file again with AES-256 ' +
          '(OpenSSL 3: `openssl pkcs12 -export` with its defaults; Windows: choose AES256-SHA256)',
      );
    }
    expect.assertions(1);
  });
});

describe('RC2 (OpenSSL 3 reads it only with its legacy provider) decrypts on node-forge', () => {
  const legacy = (cipher: string) =>
    opensslPkcs8(['-v1', cipher, '-iter', '500', '-provider', 'legacy', '-provider', 'default']);
  it.each([
    ['PBE-SHA1-RC2-40', 'PBE-SHA1-RC2-40'],
    ['PBE-SHA1-RC2-128', 'PBE-SHA1-RC2-128'],
    ['PBE-SHA1-2DES', 'PBE-SHA1-2DES'],
  ])('%s', (cipher, label) => {
    const { alg, data } = legacy(cipher);
    expect(describeEncryption(alg)).toEqual({ label, legacy: cipher.includes('RC2') });
    expect(iterationsOf(alg, 'x')).toBe(500);
    expect(pbeDecrypt(alg, data, 'pw', new IterationBudget(), 'x').equals(plainKey())).toBe(true);
  });
  it('a wrong password is BadDecrypt (the padding is checked whole), and so is a cut ciphertext', () => {
    // The certificates of the fixture openssl-legacy-rc2.pfx (PBE-SHA1-RC2-40): fixed bytes, so fixed results.
    const pfx = seq(parseDer(readFixture('openssl-legacy-rc2.pfx'), 'x'), 'x');
    const parts = seq(parseDer(octets(explicit(seq(pfx[1], 'x')[1], 0, 'x'), 'x'), 'x'), 'x');
    const encrypted = parts.find((p) => oid(seq(p, 'x')[0], 'x') === CONTENT_TYPE.encryptedData)!;
    const [, eci] = seq(explicit(seq(encrypted, 'x')[1], 0, 'x'), 'x');
    const [, algNode, dataNode] = seq(eci, 'x');
    const alg = algorithm(algNode, 'x');
    const data = octets(dataNode, 'x', 0x80, 0);
    expect(describeEncryption(alg).label).toBe('PBE-SHA1-RC2-40');
    const plain = pbeDecrypt(alg, data, PASS, new IterationBudget(), 'x');
    expect(seq(parseDer(plain, 'x'), 'x').length).toBeGreaterThan(0); // the SafeContents, whole
    for (const pw of ['wrong', 'fixture-Pa56', '', 'pw1', 'pw2', 'pw3', 'pw4', 'pw5']) {
      expect(() => pbeDecrypt(alg, data, pw, new IterationBudget(), 'x')).toThrow(BadDecrypt);
    }
    expect(() => pbeDecrypt(alg, data.subarray(0, data.length - 1), PASS, new IterationBudget(), 'x')).toThrow(
      'RC2 data is not a whole number of blocks',
    );
  });
  it("AES with a wrong password is BadDecrypt, with OpenSSL's error as its cause", () => {
    const { alg, data } = opensslPkcs8(['-v2', 'aes-256-cbc', '-iter', '100']);
    const err = (() => {
      for (const pw of ['a', 'b', 'c']) {
        try {
          pbeDecrypt(alg, data, pw, new IterationBudget(), 'x');
        } catch (e) {
          return e;
        }
      }
    })();
    expect(err).toBeInstanceOf(BadDecrypt);
    expect((err as Error).message).toBe('decryption failed');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });
  it('PBES2 with no password derives from the empty one, as OpenSSL does', () => {
    const der = execFileSync('openssl', [
      ...['pkcs8', '-topk8', '-in', fixture('p256.key'), '-outform', 'DER', '-passout', 'pass:'],
      ...['-v2', 'aes-128-cbc', '-iter', '100'],
    ]);
    const [algNode, dataNode] = seq(parseDer(der, 'x'), 'x', 2);
    const alg = algorithm(algNode, 'x');
    const plain = pbeDecrypt(alg, octets(dataNode, 'x'), null, new IterationBudget(), 'x');
    expect(plain.equals(plainKey())).toBe(true);
  });
});
