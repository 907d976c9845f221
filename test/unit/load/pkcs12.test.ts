// parsePkcs12 on every common producer's PFX, its refusals with their codes, and the bag limit
// (limits.ts MAX_PFX_BAGS) inside nested SafeContents, where the top-level count in walkSafeContents
// never sees the bags, and the one code it raises wherever it is hit. The PFX is built with node-forge's
// own ASN.1 writer, not ours.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { MAX_PFX_BAGS } from '../../../sidecar/limits.js';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';
import { PASS, UNICODE_PASS, fixture, readFixture } from '../../support/helpers.js';

const { asn1 } = forge;
const SEQ = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const OID = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const EXPLICIT0 = (inner: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const OCTETS = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();

/** A crlBag (PKCS#12 bag 1.2.840.113549.1.12.10.1.4): read and set aside, it carries nothing for Kestrel. */
const crlBag = () => SEQ([OID('1.2.840.113549.1.12.10.1.4'), EXPLICIT0(SEQ([OID('1.2.3.4'), EXPLICIT0(OCTETS('x'))]))]);
/** A safeContentsBag (1.2.840.113549.1.12.10.1.6) holding `count` CRL bags. */
const nestedBag = (count: number) =>
  SEQ([OID('1.2.840.113549.1.12.10.1.6'), EXPLICIT0(SEQ(Array.from({ length: count }, crlBag)))]);

/** A PFX v3 without MAC or encryption whose one data part holds `outer` (a SafeContents). */
function pfxOf(outer: forge.asn1.Asn1): Buffer {
  const data = (bytes: string) => SEQ([OID('1.2.840.113549.1.7.1'), EXPLICIT0(OCTETS(bytes))]);
  const authSafe = der(SEQ([data(der(outer))]));
  const version = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x03');
  return Buffer.from(der(SEQ([version, data(authSafe)])), 'latin1');
}

function refusal(bytes: Buffer): KcsError {
  try {
    parsePkcs12(bytes, undefined);
  } catch (err) {
    if (err instanceof KcsError) return err;
    throw err;
  }
  throw new Error('parsePkcs12 accepted the file');
}

describe('parsePkcs12 counts the bags inside nested SafeContents', () => {
  it(`refuses one safeContentsBag holding ${MAX_PFX_BAGS} bags (${MAX_PFX_BAGS + 1} in all)`, () => {
    expect(MAX_PFX_BAGS).toBe(400);
    const err = refusal(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS)])));
    expect(err.message).toBe('FILE_TOO_LARGE the PFX holds more than 400 bags');
    expect(err.finding.hint).toBe(
      'export only the server certificate, its chain and its key (a real PFX holds a handful of bags)',
    );
  });

  it('raises the one limit as one code, in the same words, at the top level and inside nested SafeContents', () => {
    const top = refusal(pfxOf(SEQ(Array.from({ length: MAX_PFX_BAGS + 1 }, crlBag))));
    const nested = refusal(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS)])));
    expect(top.finding).toEqual(nested.finding);
    expect(top.code).toBe('FILE_TOO_LARGE');
    expect(top.exitCode).toBe(4);
  });

  it('refuses bags split between a nested SafeContents and the top level that add up past the limit', () => {
    const top = Array.from({ length: 200 }, crlBag);
    const err = refusal(pfxOf(SEQ([...top, nestedBag(MAX_PFX_BAGS - 200)])));
    expect(err.message).toBe('FILE_TOO_LARGE the PFX holds more than 400 bags');
  });

  const inAll = `${MAX_PFX_BAGS} in all`;
  it(`opens one safeContentsBag holding ${MAX_PFX_BAGS - 1} bags (${inAll}): nothing for Kestrel in it`, () => {
    const { certs, keys, info } = parsePkcs12(pfxOf(SEQ([nestedBag(MAX_PFX_BAGS - 1)])), undefined);
    expect(certs).toEqual([]);
    expect(keys).toEqual([]);
    expect(info.opened).toBe('none');
    expect(info.modernShape).toBe(false);
  });

  it('refuses SafeContents nested more than 4 deep', () => {
    let inner = SEQ([crlBag()]);
    for (let i = 0; i < 6; i++) inner = SEQ([SEQ([OID('1.2.840.113549.1.12.10.1.6'), EXPLICIT0(inner)])]);
    expect(refusal(pfxOf(inner)).message).toBe('FILE_CORRUPT safe contents are nested more than 4 deep');
  });
});

const leafOf = (name: string) => new crypto.X509Certificate(readFixture(name));

describe('parsePkcs12 reads every common producer', () => {
  it.each([
    ['openssl3-default.pfx', PASS, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['openssl-legacy-rc2.pfx', PASS, 3, 'rsa2048.crt', 'PBE-SHA1-RC2-40', true],
    ['windows-3des.pfx', PASS, 3, 'rsa2048.crt', 'PBE-SHA1-3DES', false],
    ['windows-aes.pfx', PASS, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['nomac.pfx', PASS, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['unencrypted.pfx', PASS, 3, 'rsa2048.crt', undefined, false],
    ['nopassword.pfx', undefined, 3, 'rsa2048.crt', undefined, false],
    ['empty-password.pfx', undefined, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['empty-password.pfx', '', 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['unicode-password.pfx', UNICODE_PASS, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['iter-600k.pfx', PASS, 3, 'rsa2048.crt', 'PBES2 AES-256-CBC', false],
    ['ecdsa-p256.pfx', PASS, 3, 'p256.crt', 'PBES2 AES-256-CBC', false],
    ['ecdsa-p384.pfx', PASS, 3, 'p384.crt', 'PBES2 AES-256-CBC', false],
    ['rsa8192.pfx', PASS, 3, 'rsa8192.crt', 'PBES2 AES-256-CBC', false],
    ['gnutls.p12', PASS, 1, 'rsa2048.crt', undefined, false],
    ['keytool.p12', PASS, 1, undefined, 'PBES2 AES-256-CBC', false],
    ['mkcert.p12', 'changeit', 2, undefined, 'PBE-SHA1-RC2-40', true],
    ['dotnet-devcert.pfx', PASS, 1, undefined, 'PBE-SHA1-3DES', false],
  ] as const)('opens %s', (file, password, certCount, leafFile, encryption, legacy) => {
    // `legacy` is what OpenSSL 3 itself says: it refuses the file without its legacy provider.
    const openssl = spawnSync(
      'openssl',
      ['pkcs12', '-in', fixture(file), '-nodes', '-passin', `pass:${password ?? ''}`],
      { encoding: 'utf8' },
    );
    expect(openssl.status !== 0 && /unsupported|legacy/i.test(openssl.stderr), openssl.stderr).toBe(legacy);
    const { certs, keys, info } = parsePkcs12(readFixture(file), password);
    expect(certs).toHaveLength(certCount);
    expect(keys).toHaveLength(1);
    const key = crypto.createPrivateKey({ key: keys[0]!, format: 'der', type: 'pkcs8' });
    const certsX = certs.map((c) => new crypto.X509Certificate(c));
    expect(certsX.some((c) => c.checkPrivateKey(key))).toBe(true);
    if (leafFile) expect(certsX.map((c) => c.fingerprint256)).toContain(leafOf(leafFile).fingerprint256);
    if (encryption) expect(info.encryption).toContain(encryption);
    expect(info.legacy).toBe(legacy);
  });
});

describe('parsePkcs12 refuses what it cannot open, with the right code', () => {
  it.each([
    ['openssl3-default.pfx', undefined, 'PASSWORD_REQUIRED'],
    ['openssl3-default.pfx', 'wrong', 'PASSWORD_WRONG'],
    ['nomac.pfx', 'wrong', 'PASSWORD_WRONG'],
    ['nomac.pfx', undefined, 'PASSWORD_REQUIRED'],
    ['unicode-password.pfx', 'passwort', 'PASSWORD_WRONG'],
    ['iter-2500k.pfx', PASS, 'ITERATIONS_TOO_HIGH'],
    ['rsa2048.crt', PASS, 'FILE_CORRUPT'],
  ] as const)('%s with password %s gives %s', (file, password, code) => {
    let err: unknown;
    try {
      parsePkcs12(readFixture(file), password);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KcsError);
    expect((err as KcsError).code).toBe(code);
  });
});
