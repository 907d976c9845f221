// The certificates of a PKCS#7 SignedData (sidecar/pkix/pkcs7.ts), from files that `openssl crl2pkcs7`
// and `openssl cms -sign` write, the .p7b of the fixtures, and, for the shapes no tool here writes
// (attribute certificates, a primitive [0], another content type), SignedData built with our DER builders
// around real certificates. Each refusal is the FILE_CORRUPT text a user sees.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Asn1, build, toDer } from '../../../sidecar/pkix/asn1.js';
import { CONTENT_TYPE } from '../../../sidecar/pkix/oids.js';
import { isPkcs7, pkcs7Certificates } from '../../../sidecar/pkix/pkcs7.js';
import { fixture, readFixture } from '../../support/helpers.js';
import { opensslDir, corruptRefusal as refusal } from './certs.js';

const tmp = opensslDir('pkcs7');
afterAll(tmp.remove);
const der = (pem: string) => new crypto.X509Certificate(readFixture(pem)).raw;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, contentInfo, ...rest } }. */
const signedData = (rest: Asn1[], type: string = CONTENT_TYPE.signedData) =>
  toDer(
    build.seq(
      build.oid(type),
      build.explicit(0, build.seq(build.int(1), build.set(), build.seq(build.oid(CONTENT_TYPE.data)), ...rest)),
    ),
  );
const certSet = (...items: Asn1[]) => ({ ...build.set(...items), tagClass: 0x80, type: 0 }) as Asn1;

describe('pkcs7Certificates reads the chain that OpenSSL writes', () => {
  it('crl2pkcs7 -nocrl, DER: the certificates in file order', () => {
    const p7b = tmp.openssl(
      ...['crl2pkcs7', '-nocrl', '-outform', 'DER', '-certfile', fixture('rsa2048.crt')],
      ...['-certfile', fixture('inter.crt'), '-certfile', fixture('root.crt')],
    );
    expect(isPkcs7(p7b)).toBe(true);
    const { certs, others } = pkcs7Certificates(p7b);
    expect(certs.map(hex)).toEqual(['rsa2048.crt', 'inter.crt', 'root.crt'].map((f) => hex(der(f))));
    expect(others).toBe(0);
  });
  it('cms -sign: the signer and its chain, beside a signature and signed content', () => {
    tmp.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'signer.key');
    const signed = tmp.openssl(
      ...['cms', '-sign', '-binary', '-outform', 'DER', '-nodetach', '-in', fixture('password.txt')],
      ...['-signer', fixture('p256.crt'), '-inkey', fixture('p256.key'), '-certfile', fixture('inter.crt')],
    );
    const { certs } = pkcs7Certificates(signed);
    expect(certs.map(hex).sort()).toEqual([hex(der('p256.crt')), hex(der('inter.crt'))].sort());
  });
  it('the fixture chain.p7b, and a file with no certificates', () => {
    const p7b = readFileSync(fixture('layout-p7b/chain.p7b'));
    expect(pkcs7Certificates(p7b).certs.length).toBeGreaterThan(0);
    const empty = tmp.openssl('crl2pkcs7', '-nocrl', '-outform', 'DER');
    expect(empty.length).toBeLessThan(128); // a short-form length: isPkcs7 reads the OID at byte 2
    expect(isPkcs7(empty)).toBe(true);
    expect(pkcs7Certificates(empty)).toEqual({ certs: [], others: 0 });
  });
  it('counts attribute and other certificate choices ([1]..[3]) apart and keeps the X.509 ones', () => {
    const file = signedData([
      certSet(
        build.raw(der('p256.crt')),
        build.explicit(2, build.null()),
        build.implicit(1, Buffer.from('x')),
        build.null(), // not a Certificate: a universal type other than SEQUENCE
        build.explicit(16, build.null()), // [16] is not a SEQUENCE either
      ),
      build.set(),
    ]);
    expect(pkcs7Certificates(file)).toEqual({ certs: [Buffer.from(der('p256.crt'))], others: 4 });
  });
  it('skips the CRLs [1] and takes the certificates [0] wherever they are', () => {
    const crls = { ...build.set(build.seq()), tagClass: 0x80, type: 1 } as Asn1;
    const file = signedData([crls, certSet(build.raw(der('inter.crt'))), build.set()]);
    expect(pkcs7Certificates(file).certs.map(hex)).toEqual([hex(der('inter.crt'))]);
  });
});

describe('isPkcs7 looks at the content type only', () => {
  it.each([
    ['a PEM certificate', () => readFixture('rsa2048.crt'), false],
    ['a DER certificate', () => der('rsa2048.crt'), false],
    [
      'a PKCS#8 key',
      () => crypto.createPrivateKey(readFixture('p256.key')).export({ format: 'der', type: 'pkcs8' }),
      false,
    ],
    ['a PFX', () => readFixture('openssl3-default.pfx'), false],
    ['a ContentInfo of type data', () => signedData([], CONTENT_TYPE.data), false],
    [
      'a SignedData with a long-form length',
      () => signedData([certSet(build.raw(der('root.crt'))), build.set()]),
      true,
    ],
    ['the OID alone, without its SEQUENCE', () => Buffer.from('06092a864886f70d010702', 'hex'), false],
    ['a SET holding the OID', () => Buffer.from('310b06092a864886f70d010702', 'hex'), false],
  ])('%s: %s', (_, bytes, yes) => {
    expect(isPkcs7(bytes())).toBe(yes);
  });
});

describe('pkcs7Certificates refuses a malformed file, naming the part', () => {
  it.each([
    [
      'another content type',
      signedData([], CONTENT_TYPE.data),
      'the PKCS#7 file holds content of type 1.2.840.113549.1.7.1, not signedData (a certificate chain)',
    ],
    ['no content', toDer(build.seq(build.oid(CONTENT_TYPE.signedData))), 'the PKCS#7 signedData has no content'],
    [
      'content under [1]',
      toDer(build.seq(build.oid(CONTENT_TYPE.signedData), build.explicit(1, build.seq()))),
      'the PKCS#7 signedData has no content',
    ],
    [
      'content that is a SEQUENCE, not [0]',
      toDer(build.seq(build.oid(CONTENT_TYPE.signedData), build.seq(build.seq()))),
      'the PKCS#7 signedData has no content',
    ],
    [
      'content that is primitive',
      toDer(build.seq(build.oid(CONTENT_TYPE.signedData), build.implicit(0, Buffer.from('x')))),
      'the PKCS#7 signedData has no content',
    ],
    [
      'content under [APPLICATION 0]',
      toDer(build.seq(build.oid(CONTENT_TYPE.signedData), { ...build.explicit(0, build.seq()), tagClass: 0x40 })),
      'the PKCS#7 signedData has no content',
    ],
    [
      'a SignedData of three fields',
      toDer(
        build.seq(
          build.oid(CONTENT_TYPE.signedData),
          build.explicit(0, build.seq(build.int(1), build.set(), build.seq())),
        ),
      ),
      'the PKCS#7 signedData has 3 fields, expected at least 4',
    ],
    [
      'certificates that are not a set',
      signedData([build.implicit(0, Buffer.from('x')), build.set()]),
      'the certificates of the PKCS#7 file are not a set',
    ],
    [
      'a content type that is not an OID',
      toDer(build.seq(build.int(1))),
      'the PKCS#7 content type is not an OBJECT IDENTIFIER',
    ],
    ['no ContentInfo', toDer(build.set()), 'the PKCS#7 ContentInfo is not a SEQUENCE'],
    ['an empty ContentInfo', toDer(build.seq()), 'the PKCS#7 ContentInfo has 0 fields, expected at least 1'],
  ])('%s', (_, file, message) => {
    expect(refusal(() => pkcs7Certificates(file))).toBe(message);
  });
  it('bytes that are not DER', () => {
    expect(refusal(() => pkcs7Certificates(Buffer.from('3005', 'hex')))).toBe(
      'the PKCS#7 file is not valid ASN.1 (Too few bytes to read ASN.1 value)',
    );
  });
});
