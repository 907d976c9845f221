// sidecar/load/kestrel-files.ts called directly: which EC keys give their curve by explicit parameters (and
// the name the finding gives the curve), the one explicit curve no name fits, and when a certificate file's
// first certificate is not the leaf. Written to kill its mutants (docs/testing.md, "Mutation score"). Keys are
// the fixtures rewritten by `openssl ec -param_enc explicit`; the curve of no name is P-256's parameters with
// another base point (2G), its key made consistent with node:crypto's ECDH.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leafNotFirstFinding, traditionalKeyFinding, withNamedCurve } from '../../../sidecar/load/kestrel-files.js';
import { failure, fixture, readFixture } from '../../support/helpers.js';

const explicitDer = (key: string) =>
  execFileSync('openssl', ['ec', '-in', key, '-param_enc', 'explicit', '-outform', 'DER'], { stdio: 'pipe' });
const explicit = (der: Buffer) => crypto.createPrivateKey({ key: der, format: 'der', type: 'sec1' });
/** A new key on `curve`, with explicit parameters (openssl reads it from a temp file). */
function curveKey(curve: string): Buffer {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-kestrel-files-')), 'k.pem');
  const key = crypto.generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
  fs.writeFileSync(file, key.export({ format: 'pem', type: 'pkcs8' }));
  return explicitDer(file);
}
const cert = (name: string) => new crypto.X509Certificate(readFixture(name));

describe('withNamedCurve', () => {
  it('leaves an RSA key and an EC key with a named curve as they are, saying nothing', () => {
    for (const name of ['rsa2048.key', 'p256.key']) {
      const value = crypto.createPrivateKey(readFixture(name));
      expect(withNamedCurve({ value, file: name })).toEqual({ key: value, findings: [] });
    }
  });

  it.each([
    ['p256.key', 'P-256', 'prime256v1'],
    ['p384.key', 'P-384', 'secp384r1'],
  ])('rewrites %s with explicit parameters with its named curve, %s', (name, nist, openssl) => {
    const value = explicit(explicitDer(fixture(name)));
    expect(value.asymmetricKeyDetails?.namedCurve).toBe(openssl);
    const { key, findings } = withNamedCurve({ value, file: '/certs/tls.key' });
    expect(key).not.toBe(value);
    expect(key.export({ format: 'jwk' })).toEqual(value.export({ format: 'jwk' }));
    const alg = (k: crypto.KeyObject) => k.export({ format: 'der', type: 'pkcs8' }).subarray(0, 40).toString('hex');
    expect(alg(key)).not.toBe(alg(value));
    expect(findings).toEqual([
      {
        code: 'KEY_REENCODED',
        severity: 'info',
        message:
          `the key in /certs/tls.key gives its curve (${nist}) by explicit parameters, which .NET does not pair with ` +
          'the certificate: Kestrel pointed at this file would stop with "The provided key does not match the ' +
          'public key for this certificate."',
        hint:
          'nothing: the published tls.key and cert.pfx name the curve, and Kestrel reads them; to use the file ' +
          'itself, rewrite it with openssl ec -in tls.key -param_enc named_curve',
        file: '/certs/tls.key',
      },
    ]);
  });

  it("names a curve NIST did not name by OpenSSL's name (secp256k1)", () => {
    const value = explicit(curveKey('secp256k1'));
    const { findings } = withNamedCurve({ value, file: 'k.pem' });
    expect(findings[0]!.message).toMatch(/^the key in k\.pem gives its curve \(secp256k1\) by explicit parameters/);
  });

  it('refuses explicit parameters that are no named curve: P-256 with another base point', () => {
    const der = Buffer.from(explicitDer(fixture('p256.key')));
    const n = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    const d = BigInt(`0x${der.subarray(9, 41).toString('hex')}`); // ECPrivateKey { version, privateKey, ... }
    const times = (k: bigint) => {
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.setPrivateKey(Buffer.from(k.toString(16).padStart(64, '0'), 'hex'));
      return ecdh.getPublicKey();
    };
    const g = der.indexOf(times(1n));
    expect(g).toBeGreaterThan(0);
    times(2n).copy(der, g); // the base point G' = 2G
    times((2n * d) % n).copy(der, der.length - 65); // the public key d·G'
    const value = explicit(der);
    expect(value.asymmetricKeyDetails?.namedCurve).toBeUndefined();
    expect(failure(() => withNamedCurve({ value, file: '/certs/tls.key' })).finding).toEqual({
      code: 'UNSUPPORTED_ALGORITHM',
      severity: 'error',
      message:
        'the key in /certs/tls.key gives its elliptic curve by explicit parameters ' +
        'that are not those of any named curve',
      hint:
        'issue the certificate with a key on a named curve: openssl genpkey -algorithm EC -pkeyopt ' +
        'ec_paramgen_curve:P-256',
      file: '/certs/tls.key',
    });
  });
});

describe('traditionalKeyFinding', () => {
  it('names the file, and the command with its base name', () => {
    const f = traditionalKeyFinding('/certs/key.pem');
    expect(f.file).toBe('/certs/key.pem');
    expect(f.hint).toMatch(/convert it with openssl pkcs8 -topk8 -v2 aes-256-cbc -in key\.pem$/);
  });
});

describe('leafNotFirstFinding', () => {
  const leaf = cert('rsa2048.crt');

  it('says nothing when the file starts with the leaf, holds no certificate, or is not a PEM file', () => {
    expect(leafNotFirstFinding(leaf, 'a.pem', [leaf, cert('inter.crt')])).toEqual([]);
    expect(leafNotFirstFinding(leaf, 'a.pem', [])).toEqual([]);
    expect(leafNotFirstFinding(leaf, 'a.pfx', undefined)).toEqual([]);
  });

  it('names the certificate the file starts with', () => {
    expect(leafNotFirstFinding(leaf, '/certs/chain.pem', [cert('inter.crt'), leaf])).toEqual([
      {
        code: 'LEAF_NOT_FIRST',
        severity: 'info',
        message:
          '/certs/chain.pem starts with CN=Fixture Intermediate CA, not with the certificate of the key: Kestrel ' +
          'pointed at this file would pair the key with that first certificate and stop with "The provided key does ' +
          'not match the public key for this certificate."',
        hint:
          'nothing: the published tls.crt starts with the leaf, then its issuers; to use the file itself, put the ' +
          'leaf first',
        file: '/certs/chain.pem',
      },
    ]);
  });
});
