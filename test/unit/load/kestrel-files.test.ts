// Key files .NET does not use as they are (each rule is in sidecar/load/kestrel-files.ts with the .NET
// source it comes from; test/integration/kestrel-keys.test.ts shows what a real Kestrel does), and a
// load stage that no certificate Node can parse makes crash: every input gives Material or a KcsError.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../../sidecar/load/index.js';
import { PASS, fixture, readFixture } from '../../support/helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-keys-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' }).toString();
/** What OpenSSL itself says of a key's curve encoding: "ASN1 OID: prime256v1" only for a named curve. */
const curveOf = (key: crypto.KeyObject) => {
  const f = path.join(tmp(), 'k.pem');
  fs.writeFileSync(f, key.export({ format: 'pem', type: 'pkcs8' }));
  return /ASN1 OID: (\S+)/.exec(openssl('pkey', '-in', f, '-noout', '-text'))?.[1] ?? 'explicit';
};

describe('key files .NET does not use as they are', () => {
  it('an EC key with explicit parameters is published with its named curve, and says why', () => {
    const source = fixture('key-explicit-ec');
    expect(curveOf(crypto.createPrivateKey(readFixture('key-explicit-ec/tls.key')))).toBe('explicit');
    const m = loadSource({ source });
    expect(curveOf(m.key)).toBe('prime256v1');
    expect(m.leaf.checkPrivateKey(m.key)).toBe(true);
    const file = path.join(source, 'tls.key');
    expect(m.findings).toEqual([
      {
        code: 'KEY_REENCODED',
        severity: 'info',
        message:
          `the key in ${file} gives its curve (P-256) by explicit parameters, which .NET does not pair with ` +
          `the certificate: Kestrel pointed at this file would stop with "The provided key does not match the ` +
          `public key for this certificate."`,
        hint:
          'nothing: the published tls.key and cert.pfx name the curve, and Kestrel reads them; to use the file ' +
          'itself, rewrite it with openssl ec -in tls.key -param_enc named_curve',
        file,
      },
    ]);
  });

  it('a PFX whose key has explicit parameters is re-encoded, never published as it is', () => {
    const d = tmp();
    openssl('ec', '-in', fixture('p256.key'), '-param_enc', 'explicit', '-out', path.join(d, 'k.pem'));
    const pfx = path.join(d, 'api.pfx');
    openssl(
      'pkcs12',
      '-export',
      '-inkey',
      path.join(d, 'k.pem'),
      '-in',
      fixture('p256.crt'),
      '-out',
      pfx,
      '-passout',
      `pass:${PASS}`,
    );
    fs.rmSync(path.join(d, 'k.pem'));
    const m = loadSource({ source: pfx, password: PASS });
    expect(curveOf(m.key)).toBe('prime256v1');
    expect(m.modernPfx).toBeUndefined();
    expect(m.findings.map((f) => f.code)).toEqual(['KEY_REENCODED']);
  });

  it(
    'a key under OpenSSL traditional encryption (Proc-Type: 4,ENCRYPTED) is decrypted, and says .NET cannot read ' +
      'it',
    () => {
      const source = fixture('key-traditional');
      expect(readFixture('key-traditional/key.pem').toString()).toContain('Proc-Type: 4,ENCRYPTED');
      const m = loadSource({ source, password: PASS });
      expect(m.leaf.checkPrivateKey(m.key)).toBe(true);
      expect(m.findings.map((f) => `${f.severity} ${f.code} ${f.message}`)).toEqual([
        `info KEY_REENCODED the key in ${path.join(source, 'key.pem')} uses OpenSSL's traditional encryption ` +
          `(Proc-Type: 4,ENCRYPTED), which .NET cannot read: Kestrel pointed at this file would stop with "No ` +
          `supported key formats were found"`,
      ]);
    },
  );

  it('a PKCS#8-encrypted key says nothing: .NET reads it with the password', () => {
    expect(loadSource({ source: fixture('pem-encrypted'), password: PASS }).findings).toEqual([]);
  });

  it('a bundle that starts with an issuer: Kestrel would pair the key with that first certificate', () => {
    const m = loadSource({ source: fixture('pem-reversed') });
    expect(m.findings.map((f) => `${f.code} ${f.message}`)).toEqual([
      `LEAF_NOT_FIRST ${fixture('pem-reversed/cert.pem')} starts with CN=Fixture Root CA, not with the certificate ` +
        `of the key: Kestrel pointed at this file would pair the key with that first certificate and stop with "The ` +
        `provided key does not match the public key for this certificate."`,
    ]);
  });

  it('a combined file with the key first and the leaf as its first certificate says nothing', () => {
    expect(loadSource({ source: fixture('pem-combined/bundle.pem') }).findings).toEqual([]);
  });
});
