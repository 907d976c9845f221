// certFacts and keyUsage of sidecar/pkix/x509-ext.ts on real certificates: made by `openssl req` and
// `openssl x509 -req -signkey` (a v1 certificate) in the test, and, for the shapes OpenSSL never writes
// (a v2 certificate with an issuerUniqueID, a critical flag written out as FALSE), built with our DER
// builders and signed by node:crypto. OpenSSL's own reading (`-text`, `-hash`) is the judge.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../../sidecar/pkix/asn1.js';
import { certFacts, keyUsage } from '../../../sidecar/pkix/x509-ext.js';
import { subjectHash } from '../../../sidecar/publish/trust.js';
import { readFixture } from '../../support/helpers.js';
import { ECDSA_SHA256, RSA_SHA256, extension as ext, handBuilt, opensslDir } from './certs.js';

const tmp = opensslDir('x509-ext');
afterAll(tmp.remove);
const { openssl, dir } = tmp;
const opensslCert = tmp.cert;

describe('certFacts', () => {
  it('reads a v3 certificate: version, signature, subject, and each extension with its critical flag', () => {
    const { cert, file } = opensslCert('/O=Kestrel Tests/CN=api.example.test', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:api.example.test',
    ]);
    const f = certFacts(cert);
    expect(f.version).toBe(3);
    expect(f.signature).toBe(ECDSA_SHA256);
    const byOid = Object.fromEntries(f.extensions.map((e) => [e.oid, e]));
    expect(byOid['2.5.29.19']).toMatchObject({ critical: true });
    expect(byOid['2.5.29.19']!.value.toString('hex')).toBe('3000'); // CA:FALSE is the DEFAULT: empty
    expect(byOid['2.5.29.15']!.critical).toBe(true);
    expect(byOid['2.5.29.15']!.value.toString('hex')).toBe('03020780');
    expect(byOid['2.5.29.37']!.critical).toBe(false);
    expect(byOid['2.5.29.37']!.value.toString('hex')).toBe('300a06082b06010505070301');
    expect(byOid['2.5.29.17']!.critical).toBe(false);
    expect(byOid['2.5.29.17']!.value.toString()).toContain('api.example.test');
    // The subject node is the subject: its OpenSSL hash is what `openssl x509 -hash` says.
    expect(subjectHash(cert)).toBe(openssl('x509', '-in', file, '-noout', '-hash').toString().trim());
  });

  it('reads a v1 certificate (no version, no extensions) from where the serial number is', () => {
    openssl(
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'v1.key',
      '-out',
      'v1.csr',
      '-subj',
      '/CN=v1 only',
    );
    openssl('x509', '-req', '-in', 'v1.csr', '-signkey', 'v1.key', '-out', 'v1.crt', '-days', '2');
    const cert = new crypto.X509Certificate(readFileSync(path.join(dir, 'v1.crt')));
    expect(openssl('x509', '-in', 'v1.crt', '-noout', '-text').toString()).toContain('Version: 1 (0x0)');
    const f = certFacts(cert);
    expect(f).toMatchObject({ version: 1, signature: RSA_SHA256, extensions: [] });
    expect(subjectHash(cert)).toBe(openssl('x509', '-in', 'v1.crt', '-noout', '-hash').toString().trim());
    expect(keyUsage(cert)).toBeUndefined();
  });

  it('reads a fixture certificate signed by an RSA CA', () => {
    const f = certFacts(new crypto.X509Certificate(readFixture('p256.crt')));
    expect(f.version).toBe(3);
    expect(f.signature).toBe(RSA_SHA256);
    expect(f.extensions.map((e) => e.oid)).toEqual(
      expect.arrayContaining(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.17', '2.5.29.14', '2.5.29.35']),
    );
  });

  it('reads the facts of a certificate once', () => {
    const cert = new crypto.X509Certificate(readFixture('rsa2048.crt'));
    expect(certFacts(cert)).toBe(certFacts(cert));
    expect(certFacts(new crypto.X509Certificate(readFixture('rsa2048.crt')))).not.toBe(certFacts(cert));
  });

  it('a v2 certificate with an issuerUniqueID [1] and no extensions', () => {
    const cert = handBuilt(1, [build.implicit(1, Buffer.from([0, 0xab]))]);
    expect(certFacts(cert)).toMatchObject({ version: 2, signature: ECDSA_SHA256, extensions: [] });
  });

  it('a critical flag written out as FALSE (DER omits it, BER writers do not) is not critical', () => {
    const cert = handBuilt(2, [
      build.implicit(2, Buffer.from([0, 0xcd])), // subjectUniqueID [2], before the extensions
      build.explicit(
        3,
        build.seq(
          ext('2.5.29.19', false, build.seq()),
          ext('2.5.29.15', true, build.bits(Buffer.from([0x06]))),
          ext('2.5.29.14', undefined, build.octets(Buffer.from('key id'))),
        ),
      ),
    ]);
    const f = certFacts(cert);
    expect(f.version).toBe(3);
    expect(f.extensions).toEqual([
      { oid: '2.5.29.19', critical: false, value: Buffer.from('3000', 'hex') },
      { oid: '2.5.29.15', critical: true, value: Buffer.from('030200' + '06', 'hex') },
      { oid: '2.5.29.14', critical: false, value: Buffer.from('04066b6579206964', 'hex') },
    ]);
    expect(keyUsage(cert)).toEqual(['keyCertSign', 'cRLSign']);
  });
});

describe('keyUsage names the bits as OpenSSL does', () => {
  it.each([
    ['digitalSignature,keyEncipherment', ['digitalSignature', 'keyEncipherment']],
    ['nonRepudiation,dataEncipherment', ['nonRepudiation', 'dataEncipherment']],
    ['keyCertSign,cRLSign', ['keyCertSign', 'cRLSign']],
    ['keyAgreement,encipherOnly', ['keyAgreement', 'encipherOnly']],
    ['keyAgreement,decipherOnly', ['keyAgreement', 'decipherOnly']],
    [
      'digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment,keyAgreement,keyCertSign,cRLSign,' +
        'encipherOnly,decipherOnly',
      [
        'digitalSignature',
        'nonRepudiation',
        'keyEncipherment',
        'dataEncipherment',
        'keyAgreement',
        'keyCertSign',
        'cRLSign',
        'encipherOnly',
        'decipherOnly',
      ],
    ],
  ])('keyUsage=%s', (usage, names) => {
    const { cert, file } = opensslCert('/CN=usage', [`keyUsage=${usage}`]);
    expect(keyUsage(cert)).toEqual(names);
    // OpenSSL's own names for the same bits, in the same order.
    const text = openssl('x509', '-in', file, '-noout', '-ext', 'keyUsage').toString().split('\n')[1]!.trim();
    expect(text.split(', ')).toHaveLength(names.length);
  });

  it('is undefined without the extension', () => {
    expect(keyUsage(opensslCert('/CN=none', ['subjectAltName=DNS:none']).cert)).toBeUndefined();
  });
});
