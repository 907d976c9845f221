import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { encodePfx, PFX_PROFILES } from '../../../sidecar/convert/pfx.js';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';
import { readFixture } from '../../support/helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kcs-pfx-'));
const cases = PFX_PROFILES.flatMap((profile) =>
  [
    ['rsa2048', 'plain-password'],
    ['p256', 'pässwörd-🔐'],
    ['p384', ''],
  ].map(([leaf, password]) => ({ profile, leaf: leaf!, password: password! })),
);

describe('encodePfx writes files that independent readers open', () => {
  it.each(cases)('$profile PFX of $leaf with password "$password"', ({ profile, leaf, password }) => {
    const chain = [readFixture(`${leaf}.crt`), readFixture('inter.crt')].map(
      (pem) => new crypto.X509Certificate(pem).raw,
    );
    const key = crypto.createPrivateKey(readFixture(`${leaf}.key`));
    const pfx = encodePfx({ chain, key, password, profile, friendlyName: 'api' });

    // node:tls (OpenSSL inside Node, default provider only)
    expect(() => tls.createSecureContext({ pfx, passphrase: password })).not.toThrow();
    expect(() => tls.createSecureContext({ pfx, passphrase: 'not-it' })).toThrow(/mac verify failure/);

    // openssl 3 without -legacy
    const file = path.join(tmp, `${profile}-${leaf}.pfx`);
    writeFileSync(file, pfx);
    const run = spawnSync('openssl', ['pkcs12', '-in', file, '-info', '-noout', '-passin', `pass:${password}`], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const info = run.stdout + run.stderr; // openssl prints -info to stderr
    const dump = execFileSync('openssl', ['pkcs12', '-in', file, '-nodes', '-passin', `pass:${password}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(dump.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(dump).toContain('BEGIN PRIVATE KEY');
    if (profile === 'modern') {
      expect(info).toContain('MAC: sha256, Iteration 2048');
      expect(info).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
      expect(info).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
    } else {
      expect(info).toContain('MAC: sha1, Iteration 2048');
      expect(info).toContain('pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048');
    }

    // and our own reader round-trips it
    const back = parsePkcs12(pfx, password);
    expect(back.certs.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      chain.map((c) => Buffer.from(c).toString('hex')),
    );
    expect(
      new crypto.X509Certificate(back.certs[0]!).checkPrivateKey(
        crypto.createPrivateKey({ key: back.keys[0]!, format: 'der', type: 'pkcs8' }),
      ),
    ).toBe(true);
  });
});

describe('the modern profile derives the encryption key once per file', () => {
  it('with one salt for the key and the certificates, and an IV of their own for each', () => {
    const chain = [new crypto.X509Certificate(readFixture('rsa2048.crt')).raw];
    const pfx = encodePfx({
      chain,
      key: crypto.createPrivateKey(readFixture('rsa2048.key')),
      password: 'pw',
      profile: 'modern',
    });
    // The PBES2 parameters sit in clear DER: PBKDF2 (1.2.840.113549.1.5.12) with a 16-byte salt, and
    // AES-256-CBC (2.16.840.1.101.3.4.1.42) with a 16-byte IV, once for the certificates and once for the key.
    const hex = pfx.toString('hex').toUpperCase();
    const salts = [...hex.matchAll(/06092A864886F70D01050C30..0410([0-9A-F]{32})/g)].map((m) => m[1]);
    const ivs = [...hex.matchAll(/060960864801650304012A0410([0-9A-F]{32})/g)].map((m) => m[1]);
    expect(salts).toHaveLength(2);
    expect(ivs).toHaveLength(2);
    expect(salts[0]).toBe(salts[1]);
    expect(ivs[0]).not.toBe(ivs[1]);
    // and both parts open, in OpenSSL and in our reader
    const file = path.join(tmp, 'one-salt.pfx');
    writeFileSync(file, pfx);
    expect(
      spawnSync('openssl', ['pkcs12', '-in', file, '-nodes', '-passin', 'pass:pw'], { encoding: 'utf8' }).stdout,
    ).toContain('BEGIN PRIVATE KEY');
    expect(parsePkcs12(pfx, 'pw').keys).toHaveLength(1);
  });
});
