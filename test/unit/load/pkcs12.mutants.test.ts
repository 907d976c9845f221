// sidecar/load/pkcs12.ts beyond "it opens": what it reports of each PFX (the MAC, the encryptions, the
// iterations, which password opened it, the modern profile's shape, each certificate's friendlyName), the
// refusals of each layer with the words the user reads, and the order of the checks. Written to kill its
// mutants (docs/testing.md, "Mutation score").
// Inputs: PFX files that `openssl pkcs12 -export` writes with the options users pass, and test/fixtures. Shapes
// OpenSSL does not write (a CRL bag, a second key, a part that fails to decrypt under a good MAC) are the parts
// of real PFX files put together again with node-forge's ASN.1 writer, under a MAC computed with node-forge's
// PKCS#12 KDF (RFC 7292 B.2) and node:crypto's HMAC: no code of ours builds the input it reads.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';
import { PASS, failure, fixture, readFixture } from '../../support/helpers.js';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;
const SEQ = (items: Node[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const SET = (items: Node[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const OID = (id: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const INT = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
const EXPLICIT0 = (inner: Node) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [inner]);
const OCTETS = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
/** node-forge writes a BMPString's characters as UTF-16BE itself (and reads them back as characters). */
const BMP = (s: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, s);
const UTF8 = (s: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(s));
const der = (node: Node) => asn1.toDer(node).getBytes();
const fromDer = (bytes: Buffer) => asn1.fromDer(bytes.toString('latin1'));

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  sdsiCertificate: '1.2.840.113549.1.9.22.2',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
};

/**
 * `openssl pkcs12 -export` of rsa2048.crt and its key, with chain.crt, under `password`, with `args` added.
 * Kept per arguments and day under the temp dir: Stryker runs each test once per mutant.
 */
function exportPfx(args: string[], password = PASS): Buffer {
  const argv = ['pkcs12', '-export', '-in', fixture('rsa2048.crt'), '-inkey', fixture('rsa2048.key')];
  argv.push('-certfile', fixture('chain.crt'), '-name', 'api', '-passout', `pass:${password}`, ...args);
  const day = new Date().toISOString().slice(0, 10);
  const hash = crypto
    .createHash('sha256')
    .update(`${day}\n${argv.join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const file = path.join(os.tmpdir(), 'kcs-mutants-pkcs12', `${hash}.pfx`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const work = `${file}.${process.pid}`;
    execFileSync('openssl', [...argv, '-out', work], { stdio: 'pipe' });
    fs.renameSync(work, file);
  }
  return fs.readFileSync(file);
}

/** The ContentInfos of a PFX's AuthenticatedSafe, as node-forge reads them. */
function partsOf(pfx: Buffer): Node[] {
  const [, authSafe] = fromDer(pfx).value as Node[];
  const content = ((authSafe!.value as Node[])[1]!.value as Node[])[0]!;
  return asn1.fromDer(content.value as string).value as Node[];
}

/** A data part (ContentInfo of type data) holding these bags. */
const dataPart = (bags: Node[]) => SEQ([OID(OIDS.data), EXPLICIT0(OCTETS(der(SEQ(bags))))]);
/** The bags of a data part. */
const bagsOf = (part: Node) =>
  asn1.fromDer(((part.value as Node[])[1]!.value as Node[])[0]!.value as string).value as Node[];

/** A PFX v3 of these parts, with a HMAC-SHA256 MAC over them under `password`: a string, null for "no password"
 *  (RFC 7292 B.1: an empty input to the KDF, where the empty string is two zero bytes), or false for no MAC. */
function pfxOf(parts: Node[], password: string | null | false = PASS, iterations = 2048): Buffer {
  const authSafe = der(SEQ(parts));
  const content = SEQ([OID(OIDS.data), EXPLICIT0(OCTETS(authSafe))]);
  const fields = [INT(3), content];
  if (password !== false) {
    const salt = crypto.randomBytes(8).toString('latin1');
    const key = forge.pkcs12
      .generateKey(password, forge.util.createBuffer(salt), 3, iterations, 32, forge.md.sha256.create())
      .getBytes();
    const mac = crypto.createHmac('sha256', Buffer.from(key, 'latin1')).update(Buffer.from(authSafe, 'latin1'));
    const algo = SEQ([OID(OIDS.sha256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
    fields.push(SEQ([SEQ([algo, OCTETS(mac.digest().toString('latin1'))]), OCTETS(salt), INT(iterations)]));
  }
  return Buffer.from(der(SEQ(fields)), 'latin1');
}

/** A certBag of rsa2048.crt with these attributes (none: no attribute set at all). */
function certBag(attrs?: Node, type = OIDS.x509Certificate): Node {
  const cert = readFixture('rsa2048.crt');
  const certDer = Buffer.from(new crypto.X509Certificate(cert).raw).toString('latin1');
  const value = EXPLICIT0(SEQ([OID(type), EXPLICIT0(OCTETS(certDer))]));
  return SEQ([OID(OIDS.certBag), value, ...(attrs ? [attrs] : [])]);
}
const attr = (id: Node, values: Node) => SEQ([id, values]);

const crlBag = () => SEQ([OID(OIDS.crlBag), EXPLICIT0(SEQ([OID('1.2.3.4'), EXPLICIT0(OCTETS('x'))]))]);
const RSA_FP = () => new crypto.X509Certificate(readFixture('rsa2048.crt')).fingerprint256;
const fingerprints = (certs: Buffer[]) => certs.map((c) => new crypto.X509Certificate(c).fingerprint256);
const msg = (fn: () => unknown) => failure(fn).message;

const PASSWORD_WRONG_HINT = 'set KCS_PASSWORD_FILE to the file holding the password this PFX was exported with';
const REQUIRED = {
  code: 'PASSWORD_REQUIRED',
  severity: 'error',
  message: 'the file is protected by a password and none was given',
  hint:
    'set KCS_PASSWORD_FILE to a file holding the password (or KCS_PASSWORD, or KCS_USER_SECRETS for a ' +
    'secrets.json)',
};
const wrong = (detail: string) => ({
  code: 'PASSWORD_WRONG',
  severity: 'error',
  message: `the password does not match (${detail})`,
  hint: PASSWORD_WRONG_HINT,
});

describe('parsePkcs12 reports what it found', () => {
  it('of the modern profile (OpenSSL 3 defaults): the MAC, PBES2, the iterations, the shape', () => {
    const { info, names, certs, keys } = parsePkcs12(readFixture('openssl3-default.pfx'), PASS);
    expect(info).toEqual({
      mac: { label: 'HMAC-SHA256', iterations: 2048, modern: true },
      encryption: ['PBES2 AES-256-CBC'],
      legacy: false,
      maxIterations: 2048,
      minIterations: 2048,
      totalIterations: 3 * 2048,
      decryptIterations: 2 * 2048,
      modernShape: true,
      opened: 'password',
    });
    expect(names).toEqual(['api', undefined, undefined]);
    expect(fingerprints(certs)[0]).toBe(RSA_FP());
    expect(keys).toHaveLength(1);
  });

  it('of a legacy PFX: each encryption once, legacy, and the smallest and largest counts (mkcert)', () => {
    const { info, names } = parsePkcs12(readFixture('mkcert.p12'), 'changeit');
    expect(info).toEqual({
      mac: { label: 'HMAC-SHA1', iterations: 1, modern: false },
      encryption: ['PBE-SHA1-RC2-40', 'PBE-SHA1-3DES'],
      legacy: true,
      maxIterations: 2048,
      minIterations: 1,
      totalIterations: 1 + 2048 + 2048,
      decryptIterations: 2048 + 2048,
      modernShape: false,
      opened: 'password',
    });
    expect(names).toEqual([undefined, undefined]);
  });

  it('of a PFX without MAC: the first part that decrypts says which password opened it', () => {
    const { info } = parsePkcs12(readFixture('nomac.pfx'), PASS);
    expect(info).toEqual({
      mac: null,
      encryption: ['PBES2 AES-256-CBC'],
      legacy: false,
      maxIterations: 2048,
      minIterations: 2048,
      totalIterations: 2048,
      decryptIterations: 2048,
      modernShape: false,
      opened: 'password',
    });
  });

  it('of a PFX with neither MAC nor encryption: opened by no password', () => {
    const { info, keys, certs } = parsePkcs12(readFixture('nopassword.pfx'), undefined);
    expect(info).toEqual({
      mac: null,
      encryption: [],
      legacy: false,
      maxIterations: 0,
      minIterations: Infinity,
      totalIterations: 0,
      decryptIterations: 0,
      modernShape: false,
      opened: 'none',
    });
    expect([keys.length, certs.length]).toEqual([1, 3]);
  });

  it('of a PFX under the empty password: "empty", given as nothing or as the empty string', () => {
    expect(parsePkcs12(readFixture('empty-password.pfx'), undefined).info.opened).toBe('empty');
    expect(parsePkcs12(readFixture('empty-password.pfx'), '').info.opened).toBe('empty');
    const nomac = exportPfx(['-nomac'], '');
    expect(parsePkcs12(nomac, undefined).info).toMatchObject({ mac: null, opened: 'empty' });
  });

  it('an unencrypted key bag counts as a key, outside the modern shape', () => {
    const pfx = exportPfx(['-keypbe', 'NONE']);
    const { info, keys } = parsePkcs12(pfx, PASS);
    const expected = crypto.createPrivateKey(readFixture('rsa2048.key')).export({ format: 'der', type: 'pkcs8' });
    expect(keys.map((k) => k.equals(expected))).toEqual([true]);
    expect(info.encryption).toEqual(['PBES2 AES-256-CBC']);
    expect(info.modernShape).toBe(false);
  });
});

describe('the modern shape: each of its conditions alone makes a PFX not modern', () => {
  // The parts of a modern PFX (openssl3-default.pfx): [0] the certificates, encrypted; [1] the shrouded key.
  const modern = () => partsOf(readFixture('openssl3-default.pfx'));

  it('the parts as OpenSSL wrote them, under a MAC of our making, are still modern', () => {
    const { info, keys, certs } = parsePkcs12(pfxOf(modern()), PASS);
    expect(info.modernShape).toBe(true);
    expect(info.opened).toBe('password');
    expect([keys.length, certs.length]).toEqual([1, 3]);
  });

  it.each([
    ['a MAC with SHA-1', () => exportPfx(['-macalg', 'sha1'])],
    ['certificates outside an encrypted part', () => exportPfx(['-certpbe', 'NONE'])],
    ['certificates encrypted with AES-128', () => exportPfx(['-certpbe', 'AES-128-CBC'])],
    ['a CRL bag', () => pfxOf([...modern(), dataPart([crlBag()])])],
    [
      'an unencrypted key beside the shrouded one',
      () => pfxOf([...modern(), partsOf(exportPfx(['-keypbe', 'NONE']))[1]!]),
    ],
    ['two shrouded keys', () => pfxOf([...modern(), modern()[1]!])],
    [
      'a certificate of another type than X.509',
      () => pfxOf([...modern(), dataPart([certBag(undefined, OIDS.sdsiCertificate)])]),
    ],
    [
      'a nested SafeContents',
      () => pfxOf([modern()[0]!, dataPart([SEQ([OID(OIDS.safeContentsBag), EXPLICIT0(SEQ(bagsOf(modern()[1]!)))])])]),
    ],
  ])('%s', (_what, pfx) => {
    const { info, keys } = parsePkcs12(pfx(), PASS);
    expect(info.modernShape).toBe(false);
    expect(keys.length).toBeGreaterThan(0);
  });

  it.each([
    ['a certificate of another type and a CRL bag', () => [certBag(undefined, OIDS.sdsiCertificate), crlBag()]],
    [
      'a certificate in the clear and an empty nested SafeContents',
      () => [certBag(), SEQ([OID(OIDS.safeContentsBag), EXPLICIT0(SEQ([]))])],
    ],
  ])('two unusual bags are not modern either: %s (each counts one up)', (_what, bags) => {
    expect(parsePkcs12(pfxOf([...modern(), dataPart(bags())]), PASS).info.modernShape).toBe(false);
  });

  it('reads the key inside a nested SafeContents, and skips the certificate of another type', () => {
    const nested = SEQ([OID(OIDS.safeContentsBag), EXPLICIT0(SEQ(bagsOf(modern()[1]!)))]);
    const sdsi = certBag(undefined, OIDS.sdsiCertificate);
    const { keys, certs, names } = parsePkcs12(pfxOf([modern()[0]!, dataPart([nested, sdsi])]), PASS);
    expect(keys).toHaveLength(1);
    expect(certs).toHaveLength(3);
    expect(names).toEqual(['api', undefined, undefined]);
  });

  it('reads SafeContents nested 5 deep, and refuses 6', () => {
    const nest = (n: number) => {
      let inner = SEQ([crlBag()]);
      for (let i = 0; i < n; i++) inner = SEQ([SEQ([OID(OIDS.safeContentsBag), EXPLICIT0(inner)])]);
      return dataPart(inner.value as Node[]);
    };
    expect(parsePkcs12(pfxOf([...modern(), nest(5)]), PASS).keys).toHaveLength(1);
    expect(msg(() => parsePkcs12(pfxOf([...modern(), nest(6)]), PASS))).toBe(
      'FILE_CORRUPT safe contents are nested more than 4 deep',
    );
  });
});

describe("parsePkcs12 reads each certificate's friendlyName", () => {
  const FN = () => OID(OIDS.friendlyName);
  const KEY_ID = () => attr(OID(OIDS.localKeyId), SET([OCTETS('\x01')]));
  const namesOf = (...bags: Node[]) => parsePkcs12(pfxOf([dataPart(bags)], false), undefined).names;

  it('from a BMPString, after other attributes, and none where there is no attribute set', () => {
    expect(namesOf(certBag(SET([KEY_ID(), attr(FN(), SET([BMP('wêb-1')]))])), certBag())).toEqual(['wêb-1', undefined]);
  });

  it('passes over attributes that are not (OID, SET) pairs, and takes the friendlyName after them', () => {
    const notPair = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, 'x');
    const intId = attr(INT(1), SET([BMP('no')]));
    const badOid = attr(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, '\x80'), SET([BMP('no')]));
    const otherOid = attr(OID('1.2.3.4'), SET([BMP('no')]));
    // The friendlyName's OID under a context tag [6]: type 6 like an OID, but not one (pkix/asn1.ts oid() refuses it).
    const tagged = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, asn1.oidToDer(OIDS.friendlyName).getBytes());
    expect(namesOf(certBag(SET([attr(tagged, SET([BMP('no')]))])))).toEqual([undefined]);
    expect(namesOf(certBag(SET([notPair, intId, badOid, otherOid, attr(FN(), SET([BMP('api')]))])))).toEqual(['api']);
  });

  it('has none for a friendlyName not a BMPString, or without value, or an attribute field that is no set', () => {
    expect(namesOf(certBag(SET([attr(FN(), SET([UTF8('api')]))])))).toEqual([undefined]);
    expect(namesOf(certBag(SET([attr(FN(), SET([]))])))).toEqual([undefined]);
    expect(namesOf(certBag(SET([SEQ([FN()])])))).toEqual([undefined]);
    expect(namesOf(certBag(SET([attr(FN(), OCTETS('api'))])))).toEqual([undefined]);
    expect(namesOf(certBag(OCTETS('api')))).toEqual([undefined]);
  });
});

describe('parsePkcs12 refuses each layer with its words', () => {
  const pfx = () => fromDer(readFixture('openssl3-default.pfx'));
  const bytes = (node: Node) => Buffer.from(der(node), 'latin1');

  it('a PFX version other than 3', () => {
    const node = pfx();
    (node.value as Node[])[0] = INT(2);
    expect(msg(() => parsePkcs12(bytes(node), PASS))).toBe('FILE_CORRUPT the PFX version is 2, expected 3');
  });

  it('public-key integrity (signedData), and content of another type', () => {
    expect(msg(() => parsePkcs12(readFixture('../hostile/pfx-signed-data-integrity.pfx'), PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the PFX uses public-key integrity (signedData), which Kestrel cannot load',
    );
    const node = pfx();
    ((node.value as Node[])[1]!.value as Node[])[0] = OID(OIDS.envelopedData);
    expect(msg(() => parsePkcs12(bytes(node), PASS))).toBe(
      `FILE_CORRUPT the PFX content type is ${OIDS.envelopedData}, expected data`,
    );
  });

  it('public-key privacy (envelopedData) and a part of unknown type', () => {
    const part = (type: string) => SEQ([OID(type), EXPLICIT0(SEQ([]))]);
    expect(msg(() => parsePkcs12(pfxOf([part(OIDS.envelopedData)]), PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the PFX uses public-key privacy (envelopedData), which Kestrel cannot load',
    );
    expect(msg(() => parsePkcs12(pfxOf([part(OIDS.signedData)]), PASS))).toBe(
      `FILE_CORRUPT the PFX holds a content part of unknown type ${OIDS.signedData}`,
    );
  });

  it('reads 400 content parts and refuses 401', () => {
    const parts = (n: number) => Array.from({ length: n }, () => dataPart([]));
    expect(parsePkcs12(pfxOf(parts(400), false), undefined).certs).toEqual([]);
    expect(msg(() => parsePkcs12(pfxOf(parts(401), false), undefined))).toBe(
      'FILE_CORRUPT the PFX holds 401 content parts',
    );
  });

  it('counts every KDF before running one: too many iterations beats a missing password', () => {
    for (const [file, what] of [
      ['pfx-mac-iterations-2000001.pfx', 'the MAC asks for 2,000,001 iterations'],
      ['pfx-cert-kdf-iterations-2000001.pfx', 'the certificates asks for 2,000,001 iterations'],
      ['pfx-key-kdf-iterations-2000001.pfx', 'the private key asks for 2,000,001 iterations'],
    ]) {
      expect(msg(() => parsePkcs12(readFixture(`../hostile/${file}`), undefined))).toBe(
        `ITERATIONS_TOO_HIGH ${what}, more than the limit of 2,000,000`,
      );
    }
    expect(msg(() => parsePkcs12(readFixture('../hostile/pfx-total-iterations-4500000.pfx'), undefined))).toBe(
      'ITERATIONS_TOO_HIGH the file asks for 4,500,000 iterations in total, more than the limit of 4,000,000',
    );
  });

  it('an encryption it does not read is UNSUPPORTED_ALGORITHM, not a wrong password', () => {
    expect(msg(() => parsePkcs12(readFixture('../hostile/pfx-rc4-encryption.pfx'), PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the certificates uses the encryption PBE-SHA1-RC4-128 (RC4 is broken and unsupported)',
    );
  });
});

describe('parsePkcs12 tells a missing password from a wrong one, and either from a damaged file', () => {
  it('with a MAC: the integrity check decides (the empty password is a wrong one when one is needed)', () => {
    const pfx = readFixture('openssl3-default.pfx');
    expect(failure(() => parsePkcs12(pfx, undefined)).finding).toEqual(REQUIRED);
    expect(failure(() => parsePkcs12(pfx, 'wrong')).finding).toEqual(wrong('the PKCS#12 integrity check failed'));
    expect(failure(() => parsePkcs12(pfx, '')).finding).toEqual(wrong('the PKCS#12 integrity check failed'));
  });

  it('with a MAC of more than 20,000 iterations (checked by OpenSSL through node:tls) alike', () => {
    const pfx = exportPfx(['-iter', '20001']);
    expect(parsePkcs12(pfx, PASS).info).toMatchObject({ opened: 'password', mac: { iterations: 20001 } });
    expect(failure(() => parsePkcs12(pfx, undefined)).finding).toEqual(REQUIRED);
    expect(failure(() => parsePkcs12(pfx, 'wrong')).finding).toEqual(wrong('the PKCS#12 integrity check failed'));
    const empty = exportPfx(['-iter', '20001'], '');
    expect(parsePkcs12(empty, undefined).info.opened).toBe('empty');
  });

  it('with a MAC of more than 20,000 iterations that OpenSSL 3 cannot read (RC2): our own MAC check', () => {
    const pfx = exportPfx(['-legacy', '-iter', '20001']);
    expect(parsePkcs12(pfx, PASS).info).toMatchObject({ opened: 'password', legacy: true });
    expect(failure(() => parsePkcs12(pfx, 'wrong')).finding).toEqual(wrong('the PKCS#12 integrity check failed'));
  });

  it('without a MAC: the first encrypted part decides, and the finding names it', () => {
    const both = exportPfx(['-nomac', '-certpbe', 'AES-256-CBC']);
    expect(failure(() => parsePkcs12(both, 'wrong')).finding).toEqual(wrong('the certificates did not decrypt'));
    expect(failure(() => parsePkcs12(both, undefined)).finding).toEqual(REQUIRED);
    // nomac.pfx: the certificates in the clear, the key encrypted.
    const keyOnly = readFixture('nomac.pfx');
    expect(failure(() => parsePkcs12(keyOnly, 'wrong')).finding).toEqual(wrong('the private key did not decrypt'));
    expect(failure(() => parsePkcs12(keyOnly, undefined)).finding).toEqual(REQUIRED);
    expect(parsePkcs12(keyOnly, PASS).info.opened).toBe('password');
  });

  /** The last byte of an OCTET STRING's content flipped: the CBC padding no longer checks out. */
  const flipLast = (node: Node) => {
    const v = node.value as string;
    node.value = v.slice(0, -1) + String.fromCharCode(v.charCodeAt(v.length - 1) ^ 0x55);
  };

  it('a part that does not decrypt under a MAC the password matched is damaged, not a wrong password', () => {
    const [certs, key] = partsOf(readFixture('openssl3-default.pfx'));
    // EncryptedData { version, EncryptedContentInfo { type, algorithm, [0] data } }
    const eci = ((certs!.value as Node[])[1]!.value as Node[])[0]!.value as Node[];
    flipLast((eci[1]!.value as Node[])[2]!);
    expect(failure(() => parsePkcs12(pfxOf([certs!, key!]), PASS)).finding).toEqual({
      code: 'FILE_CORRUPT',
      severity: 'error',
      message: 'the certificates cannot be decrypted although the password matched',
      hint: 'export the file again from its source; it is damaged or not the format its name says',
    });
  });

  it('so is a shrouded key that does not decrypt', () => {
    const [certs, key] = partsOf(readFixture('openssl3-default.pfx'));
    const [bag] = bagsOf(key!);
    const epki = ((bag!.value as Node[])[1]!.value as Node[])[0]!;
    flipLast((epki.value as Node[])[1]!);
    expect(msg(() => parsePkcs12(pfxOf([certs!, dataPart([bag!])]), PASS))).toBe(
      'FILE_CORRUPT the private key cannot be decrypted although the password matched',
    );
  });
});

describe('parsePkcs12 names each structure it cannot read', () => {
  const INTEGER = () => INT(1);
  const bag = (type: string, value: Node) => SEQ([OID(type), EXPLICIT0(value)]);
  const plain = (...bags: Node[]) => pfxOf([dataPart(bags)], false);
  const outer = (...fields: Node[]) => Buffer.from(der(SEQ(fields)), 'latin1');
  const content = (inner: Node) => SEQ([OID(OIDS.data), inner]);
  const encrypted = (eci: Node[]) => pfxOf([SEQ([OID(OIDS.encryptedData), EXPLICIT0(SEQ([INT(0), SEQ(eci)]))])], false);
  const notDer = () => OCTETS('\x30\x05\x02');
  // The AlgorithmIdentifiers of openssl3-default.pfx: its certificates' (EncryptedContentInfo's second field) and
  // its key's (the shrouded key bag's EncryptedPrivateKeyInfo's first field).
  const parts = () => partsOf(readFixture('openssl3-default.pfx'));
  const certAlg = () =>
    ((((parts()[0]!.value as Node[])[1]!.value as Node[])[0]!.value as Node[])[1]!.value as Node[])[1]!;
  const keyAlg = () => (((bagsOf(parts()[1]!)[0]!.value as Node[])[1]!.value as Node[])[0]!.value as Node[])[0]!;
  const SHROUDED = '1.2.840.113549.1.12.10.1.2';

  it.each([
    ['the PFX, not DER', () => Buffer.from('3005020101', 'hex'), /^FILE_CORRUPT the PFX is not valid ASN\.1 \(.+\)$/],
    ['the PFX, not a SEQUENCE', () => Buffer.from(der(INTEGER()), 'latin1'), 'the PFX is not a SEQUENCE'],
    ['its version', () => outer(OID('1.2.3'), content(EXPLICIT0(OCTETS('')))), 'the PFX version is not an INTEGER'],
    ['its content', () => outer(INT(3), INTEGER()), 'the PFX content is not a SEQUENCE'],
    ['its content type', () => outer(INT(3), SEQ([INTEGER()])), 'the PFX content type is not an OBJECT IDENTIFIER'],
    ['its content without [0]', () => outer(INT(3), content(OCTETS('x'))), 'the PFX content is missing its [0] tag'],
    [
      'its content, not octets',
      () => outer(INT(3), content(EXPLICIT0(INTEGER()))),
      'the PFX content is not an OCTET STRING',
    ],
    [
      'the AuthenticatedSafe',
      () => outer(INT(3), content(EXPLICIT0(notDer()))),
      /^FILE_CORRUPT the AuthenticatedSafe is not valid/,
    ],
    ['a content part', () => pfxOf([INTEGER()], false), 'a content part is not a SEQUENCE'],
    ['the type of a part', () => pfxOf([SEQ([INTEGER()])], false), 'the content type is not an OBJECT IDENTIFIER'],
    ['a data part without [0]', () => pfxOf([content(OCTETS('x'))], false), 'a data part is missing its [0] tag'],
    [
      'a data part, not octets',
      () => pfxOf([content(EXPLICIT0(INTEGER()))], false),
      'a data part is not an OCTET STRING',
    ],
    [
      'its SafeContents, not DER',
      () => pfxOf([content(EXPLICIT0(notDer()))], false),
      /^FILE_CORRUPT a SafeContents is not valid/,
    ],
    [
      'its SafeContents',
      () => pfxOf([content(EXPLICIT0(OCTETS(der(INTEGER()))))], false),
      'SafeContents is not a SEQUENCE',
    ],
    [
      'an encrypted part without [0]',
      () => pfxOf([SEQ([OID(OIDS.encryptedData), OCTETS('x')])], false),
      'an encrypted part is missing its [0] tag',
    ],
    [
      'EncryptedData',
      () => pfxOf([SEQ([OID(OIDS.encryptedData), EXPLICIT0(SEQ([INT(0)]))])], false),
      'EncryptedData has 1 fields, expected at least 2',
    ],
    [
      'EncryptedContentInfo',
      () => encrypted([OID(OIDS.data)]),
      'EncryptedContentInfo has 1 fields, expected at least 3',
    ],
    [
      'the certificate encryption',
      () => encrypted([OID(OIDS.data), INTEGER(), OCTETS('x')]),
      'the certificate encryption is not a SEQUENCE',
    ],
    [
      'the encrypted certificates',
      () => encrypted([OID(OIDS.data), certAlg(), OCTETS('x')]),
      'the encrypted certificates is not an OCTET STRING',
    ],
    ['a safe bag', () => plain(INTEGER()), 'a safe bag is not a SEQUENCE'],
    ['the bag type', () => plain(SEQ([INTEGER(), EXPLICIT0(INTEGER())])), 'the bag type is not an OBJECT IDENTIFIER'],
    ['the bag value', () => plain(SEQ([OID(OIDS.certBag), INTEGER()])), 'the bag value is missing its [0] tag'],
    ['an encrypted private key', () => plain(bag(SHROUDED, INTEGER())), 'an encrypted private key is not a SEQUENCE'],
    [
      'the key encryption',
      () => plain(bag(SHROUDED, SEQ([INTEGER(), OCTETS('x')]))),
      'the key encryption is not a SEQUENCE',
    ],
    [
      'the encrypted key',
      () => plain(bag(SHROUDED, SEQ([keyAlg(), INTEGER()]))),
      'the encrypted key is not an OCTET STRING',
    ],
    ['a certificate bag', () => plain(bag(OIDS.certBag, INTEGER())), 'a certificate bag is not a SEQUENCE'],
    [
      'the certificate type',
      () => plain(bag(OIDS.certBag, SEQ([INTEGER(), EXPLICIT0(OCTETS('x'))]))),
      'the certificate type is not an OBJECT IDENTIFIER',
    ],
    ['nested SafeContents', () => plain(bag(OIDS.safeContentsBag, INTEGER())), 'nested SafeContents is not a SEQUENCE'],
    [
      'a certificate without [0]',
      () => plain(bag(OIDS.certBag, SEQ([OID(OIDS.x509Certificate), OCTETS('x')]))),
      'the certificate is missing its [0] tag',
    ],
    [
      'a certificate, not octets',
      () => plain(bag(OIDS.certBag, SEQ([OID(OIDS.x509Certificate), EXPLICIT0(INTEGER())]))),
      'the certificate is not an OCTET STRING',
    ],
    [
      'the AuthenticatedSafe, not a SEQUENCE',
      () => outer(INT(3), content(EXPLICIT0(OCTETS(der(INTEGER()))))),
      'the AuthenticatedSafe is not a SEQUENCE',
    ],
  ] as const)('%s', (_what, pfx, expected) => {
    const m = msg(() => parsePkcs12(pfx(), PASS));
    if (typeof expected === 'string') expect(m).toBe(`FILE_CORRUPT ${expected}`);
    else expect(m).toMatch(expected);
  });

  it('an encryption of no known kind, named with what it encrypts', () => {
    expect(msg(() => parsePkcs12(readFixture('../hostile/pfx-unknown-encryption-oid.pfx'), PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the certificates uses the encryption unknown algorithm 1.2.3.4.5.6',
    );
    const key = plainKey(SEQ([SEQ([OID('1.2.3.4')]), OCTETS('x')]));
    expect(msg(() => parsePkcs12(key, PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the private key uses the encryption unknown algorithm 1.2.3.4',
    );
  });

  /** A PFX without MAC holding one shrouded key bag of this EncryptedPrivateKeyInfo. */
  function plainKey(epki: Node): Buffer {
    return pfxOf([dataPart([SEQ([OID(SHROUDED), EXPLICIT0(epki)])])], false);
  }

  it('a PBES2 cipher it does not know is UNSUPPORTED_ALGORITHM, not a part that failed to decrypt', () => {
    // openssl3-default.pfx with its certificates' PBES2 encryption scheme (AES-256-CBC) made 1.2.3.4.
    const [certs, key] = parts();
    const alg = ((((certs!.value as Node[])[1]!.value as Node[])[0]!.value as Node[])[1]!.value as Node[])[1]!;
    const scheme = ((alg.value as Node[])[1]!.value as Node[])[1]!;
    (scheme.value as Node[])[0] = OID('1.2.3.4');
    expect(msg(() => parsePkcs12(pfxOf([certs!, key!]), PASS))).toBe(
      'UNSUPPORTED_ALGORITHM the certificates uses the cipher 1.2.3.4; supported are AES-CBC and 3DES-CBC',
    );
  });
});

describe('parsePkcs12: the passwords it tries', () => {
  it('a MAC under no password at all (an empty KDF input, not the empty string) opens with none given, or ""', () => {
    const pfx = pfxOf([dataPart([certBag()])], null);
    expect(parsePkcs12(pfx, undefined).info).toMatchObject({ opened: 'none', modernShape: false });
    expect(parsePkcs12(pfx, '').info.opened).toBe('none');
    expect(failure(() => parsePkcs12(pfx, PASS)).finding).toEqual(wrong('the PKCS#12 integrity check failed'));
  });

  it('a wrong password whose decryption has valid padding is still a wrong password', () => {
    // 'wrong-196' is, among 'wrong-0' to 'wrong-2999', the first whose AES-256-CBC decryption of nomac.pfx's key
    // ends in valid padding (1 in 256 do): the plaintext is refused by the DER parser, not by the cipher.
    expect(failure(() => parsePkcs12(readFixture('nomac.pfx'), 'wrong-196')).finding).toEqual(
      wrong('the private key did not decrypt'),
    );
  });
});
