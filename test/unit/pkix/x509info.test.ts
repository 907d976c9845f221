// The certificate facts of sidecar/pkix/x509info.ts that reports, the manifest and messages print: names,
// subjectAltNames, keys, self-signature, the summary and durations, on certificates OpenSSL makes in the
// test (or our DER builders where OpenSSL cannot: an empty subject), the fixtures, and keys node:crypto
// generates. Independent judges where there are any: WHATWG URL's IPv6 form, OpenSSL's -text.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../../sidecar/pkix/asn1.js';
import {
  certName,
  compressIpv6,
  curveName,
  describeKey,
  humanDuration,
  isSelfSigned,
  issuerOf,
  oneLine,
  sansOf,
  subjectOf,
  summarize,
} from '../../../sidecar/pkix/x509info.js';
import { fixture, readFixture } from '../../support/helpers.js';
import { cnName, extension, handBuilt, opensslDir } from './certs.js';

const tmp = opensslDir('x509info');
afterAll(tmp.remove);
const fixtureCert = (name: string) => new crypto.X509Certificate(readFixture(name));
/** A self-signed certificate with an empty subject (RFC 5280 4.1.2.6) and these GeneralNames. */
const noSubject = (...names: ReturnType<typeof build.implicit>[]) =>
  handBuilt(
    2,
    names.length ? [build.explicit(3, build.seq(extension('2.5.29.17', true, build.seq(...names))))] : [],
    cnName(),
  );

describe('compressIpv6 writes the form of RFC 5952, as WHATWG URL does', () => {
  it.each([
    '0:0:0:0:0:0:0:1',
    '0:0:0:0:0:0:0:0',
    '1:0:0:0:0:0:0:0',
    '2001:0DB8:0:0:1:0:0:1',
    '1:0:0:2:0:0:0:3',
    '1:0:0:0:2:0:0:3',
    '1:0:2:0:3:0:4:0',
    '1:2:3:4:5:6:7:8',
    'fe80:0:0:0:0:0:0:00a1',
    '0:0:1:0:0:0:0:2',
  ])('%s', (ip) => {
    expect(compressIpv6(ip)).toBe(new URL(`http://[${ip}]/`).hostname.slice(1, -1));
  });
});

describe('sansOf', () => {
  it('gives DNS names and IP addresses in certificate order, IPv6 compressed, and skips the other kinds', () => {
    const { cert } = tmp.cert('/CN=sans', [
      'subjectAltName=DNS:b.example.test,IP:10.0.0.1,email:ops@example.test,IP:2001:db8:0:0:0:0:0:1,' +
        'URI:https://example.test/x,DNS:*.a.example.test,IP:0:0:0:0:0:0:0:1',
    ]);
    expect(sansOf(cert)).toEqual(['b.example.test', '10.0.0.1', '2001:db8::1', '*.a.example.test', '::1']);
  });
  it('reads the kind at the start of each name only: a URI holding "DNS:" is not a DNS name', () => {
    const { cert } = tmp.cert('/CN=uri', ['subjectAltName=URI:https://example.test/DNS:x,DNS:y']);
    expect(sansOf(cert)).toEqual(['y']);
  });
  it('compresses IP addresses only: a DNS name with :0:0: stays as it is', () => {
    expect(sansOf(noSubject(build.implicit(2, Buffer.from('x:0:0:y'))))).toEqual(['x:0:0:y']);
  });
  it('is empty without the extension', () => {
    expect(sansOf(tmp.cert('/CN=none').cert)).toEqual([]);
  });
  it('takes a name Node quotes (a comma, a quote, non-ASCII: escaped inside) without its quotes', () => {
    const cert = noSubject(build.implicit(2, Buffer.from('a, b')), build.implicit(2, Buffer.from('c:d')));
    expect(cert.subjectAltName).toBe('DNS:"a\\u002c b", DNS:c:d');
    expect(sansOf(cert)).toEqual(['a\\u002c b', 'c:d']);
  });
});

describe('names of a certificate', () => {
  it('oneLine joins the lines of a distinguished name, and is empty for none', () => {
    expect(oneLine('O=Kestrel\nOU=Tests\nCN=api')).toBe('O=Kestrel, OU=Tests, CN=api');
    expect(oneLine('CN=api\n')).toBe('CN=api');
    expect(oneLine(undefined)).toBe('');
  });
  it('subjectOf and issuerOf are "" for an empty name, never undefined', () => {
    const cert = noSubject(build.implicit(2, Buffer.from('localhost')));
    expect(cert.subject).toBeUndefined();
    expect([subjectOf(cert), issuerOf(cert)]).toEqual(['', '']);
    const leaf = fixtureCert('rsa2048.crt');
    expect([subjectOf(leaf), issuerOf(leaf)]).toEqual(['CN=rsa2048', 'CN=Fixture Intermediate CA']);
  });
  it.each([
    ['its CN, wherever it is', '/O=Kestrel/CN=api.example.test/OU=Tests', 'api.example.test'],
    ['the CN attribute, not "CN=" inside another one', '/OU=not a CN=fake/CN=real', 'real'],
    ['its subject on one line without a CN', '/O=Kestrel/OU=Tests', 'O=Kestrel, OU=Tests'],
  ])('certName gives %s', (_, subject, name) => {
    expect(certName(tmp.cert(subject).cert)).toBe(name);
  });
  it('certName of an empty subject: the first subjectAltName, else any GeneralName, else the fingerprint', () => {
    expect(certName(noSubject(build.implicit(7, Buffer.from([127, 0, 0, 1]))))).toBe('127.0.0.1 (no subject)');
    expect(certName(noSubject(build.implicit(1, Buffer.from('ops@example.test'))))).toBe(
      'email:ops@example.test (no subject)',
    );
    const bare = noSubject();
    expect(certName(bare)).toBe(`sha256 ${bare.fingerprint256.slice(0, 23)} (no subject)`);
    expect(certName(bare)).toMatch(/^sha256 ([0-9A-F]{2}:){7}[0-9A-F]{2} \(no subject\)$/);
  });
});

describe('isSelfSigned', () => {
  it.each([
    ['a root CA', () => fixtureCert('root.crt'), true],
    ['a leaf issued by an intermediate', () => fixtureCert('rsa2048.crt'), false],
    ['the intermediate', () => fixtureCert('inter.crt'), false],
    ['a server certificate without keyCertSign', () => tmp.cert('/CN=dev', ['keyUsage=digitalSignature']).cert, true],
  ])('%s: %s', (_, cert, self) => {
    const c = cert();
    expect(isSelfSigned(c)).toBe(self);
    expect(isSelfSigned(c)).toBe(self);
  });
  it('a certificate signed by its own key but naming another issuer is not self-signed (not self-issued)', () => {
    const cert = handBuilt(2, [], cnName('subject'), cnName('someone else'));
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(isSelfSigned(cert)).toBe(false);
  });
  it('a certificate named like its issuer but signed by another key is not self-signed', () => {
    const { openssl, dir } = tmp;
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=same', '-days', '2');
    openssl('req', '-new', ...ec, '-keyout', 'l.key', '-out', 'l.csr', '-subj', '/CN=same');
    openssl('x509', '-req', '-in', 'l.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-out', 'l.crt', '-days', '2');
    const leaf = new crypto.X509Certificate(readFileSync(path.join(dir, 'l.crt')));
    expect(leaf.subject).toBe(leaf.issuer);
    expect(isSelfSigned(leaf)).toBe(false);
    expect(isSelfSigned(new crypto.X509Certificate(readFileSync(path.join(dir, 'ca.crt'))))).toBe(true);
  });
});

describe('describeKey and curveName', () => {
  const gen = (type: string, options: object) =>
    crypto.generateKeyPairSync(type as 'ec', options as crypto.ECKeyPairKeyObjectOptions).publicKey;
  const fixtureKey = (name: string) => crypto.createPublicKey(readFixture(name));
  it.each([
    ['RSA 2048', () => fixtureKey('rsa2048.key')],
    ['RSA 4096', () => fixtureKey('rsa4096.key')],
    ['RSA-PSS 2048', () => gen('rsa-pss', { modulusLength: 2048 })],
    ['ECDSA P-256', () => fixtureKey('p256.key')],
    ['ECDSA P-384', () => gen('ec', { namedCurve: 'P-384' })],
    ['ECDSA P-521', () => gen('ec', { namedCurve: 'P-521' })],
    ['ECDSA secp256k1', () => gen('ec', { namedCurve: 'secp256k1' })],
    ['ED25519', () => gen('ed25519', {})],
    ['X448', () => gen('x448', {})],
  ])('%s', (label, key) => {
    expect(describeKey(key())).toBe(label);
  });
  it('names the three NIST curves and passes any other name through', () => {
    expect(['prime256v1', 'secp384r1', 'secp521r1', 'brainpoolP256r1'].map(curveName)).toEqual([
      'P-256',
      'P-384',
      'P-521',
      'brainpoolP256r1',
    ]);
    expect(curveName(undefined)).toBe('undefined');
  });
});

describe('summarize', () => {
  it('gives the facts of the leaf as OpenSSL reads them, and the whole days left at `now`', () => {
    const cert = fixtureCert('rsa2048.crt');
    const notAfter = cert.validToDate.getTime();
    const s = summarize(cert, new Date(notAfter - 1.5 * 86_400_000));
    expect(s).toEqual({
      subject: 'CN=rsa2048',
      issuer: 'CN=Fixture Intermediate CA',
      sans: ['localhost', 'api', '*.example.test', '127.0.0.1', '::1'],
      notBefore: cert.validFromDate.toISOString(),
      notAfter: cert.validToDate.toISOString(),
      daysLeft: 1,
      key: 'RSA 2048',
      sha256: cert.fingerprint256,
      serial: cert.serialNumber,
      selfSigned: false,
    });
    const text = tmp.openssl('x509', '-in', fixture('rsa2048.crt'), '-noout', '-serial', '-enddate').toString();
    expect(text).toContain(`serial=${s.serial}`);
    expect(new Date(/notAfter=(.*)/.exec(text)![1]!).toISOString()).toBe(s.notAfter);
  });
  it('reads the facts once, but counts the days again at each `now`, and hands out its own list of names', () => {
    const cert = fixtureCert('root.crt');
    const end = cert.validToDate.getTime();
    const first = summarize(cert, new Date(end - 10 * 86_400_000));
    first.sans.push('changed');
    const later = summarize(cert, new Date(end + 12 * 3_600_000));
    expect(first.daysLeft).toBe(10);
    expect(later.daysLeft).toBe(-1);
    expect(later.sans).toEqual([]);
    expect(later.selfSigned).toBe(true);
  });
});

describe('humanDuration', () => {
  const s = 1000;
  const min = 60 * s;
  const h = 60 * min;
  const day = 24 * h;
  it.each([
    [0, '0 seconds'],
    [s, '1 second'],
    [1999, '1 second'],
    [2 * min - 1, '119 seconds'],
    [2 * min, '2 minutes'],
    [2 * h - 1, '119 minutes'],
    [2 * h, '2 hours'],
    [2 * day - 1, '47 hours'],
    [2 * day, '2 days'],
    [400 * day, '400 days'],
    [-3 * day, '3 days'],
    [-s, '1 second'],
  ])('%d ms is %s', (ms, words) => {
    expect(humanDuration(ms)).toBe(words);
  });
});
