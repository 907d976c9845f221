import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePkcs12 } from '../../sidecar/load/pkcs12.js';
import { KcsError } from '../../sidecar/findings.js';
import { PASS, UNICODE_PASS, fixture, readFixture } from '../support/helpers.js';

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
