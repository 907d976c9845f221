// A PFX source (sidecar/load/pfx-source.ts): its certificates and keys as they are located, the description
// `check --json` and the report show (encryption, MAC, iterations), the findings about its encryption
// (LEGACY_ENCRYPTION, PFX_REENCODED at .NET's limits), when it may be published as it is (modernPfx), and
// its refusals. The PFX files are test/fixtures and files made by openssl and keytool with chosen iteration
// counts (keystores.ts); one is an OpenSSL PFX with one byte of its key's algorithm changed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { finding, raise, type Message } from '../../../sidecar/findings.js';
import { parsePkcs12 } from '../../../sidecar/load/pkcs12.js';
import { readPfx } from '../../../sidecar/load/pfx-source.js';
import { messages } from '../../../sidecar/messages/index.js';
import { PASS, failure, fixture, readFixture } from '../../support/helpers.js';
import { keytoolStore, opensslPfx, withKeytool } from './keystores.js';

const expected = (m: Message, file: string) => raise(m, file).finding;
const refusal = (fn: () => unknown) => failure(fn).finding;
const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-pfx-source-')));
const reencoded = (file: string, iterations: number) =>
  finding(messages.PFX_REENCODED.iterations({ file, iterations }), 'warning', file);

describe('readPfx reads', () => {
  it("an OpenSSL 3 PFX: its certificates (the leaf's alias), its key, its description, and itself to publish", () => {
    const file = fixture('openssl3-default.pfx');
    const p = readPfx(file, undefined, PASS);
    expect(p.certs.map((c) => c.value.subject)).toEqual([
      'CN=rsa2048',
      'CN=Fixture Intermediate CA',
      'CN=Fixture Root CA',
    ]);
    expect(p.certs.map((c) => c.file)).toEqual([file, file, file]);
    expect(p.certs[0]!.name).toBe('api');
    expect(Object.keys(p.certs[1]!)).toEqual(['value', 'file']);
    expect(p.keys).toHaveLength(1);
    expect(p.keys[0]!.file).toBe(file);
    expect(p.certs[0]!.value.checkPrivateKey(p.keys[0]!.value)).toBe(true);
    expect(p.details).toEqual({
      encryption: 'PBES2 AES-256-CBC',
      mac: 'HMAC-SHA256, 2048 iterations',
      maxIterations: 2048,
    });
    expect(p.findings).toEqual([]);
    expect(p.passwordUsed).toBe(true);
    expect(p.modernPfx).toEqual({
      bytes: readFixture('openssl3-default.pfx'),
      password: PASS,
      certs: p.certs.map((c) => c.value.raw),
    });
  });

  it('a PFX without MAC, encryption or password: none of them, and not itself to publish', () => {
    const p = readPfx(fixture('nopassword.pfx'), undefined, undefined);
    expect(p.details).toEqual({ encryption: 'none', mac: 'none', maxIterations: 0 });
    expect(p.passwordUsed).toBe(false);
    expect(p.modernPfx).toBeUndefined();
    expect(p.keys).toHaveLength(1);
  });

  it('a PFX without a MAC: the password opened its encryption, and it is not published as it is', () => {
    const p = readPfx(fixture('nomac.pfx'), undefined, PASS);
    expect(p.details.mac).toBe('none');
    expect(p.passwordUsed).toBe(true);
    expect(p.modernPfx).toBeUndefined();
  });

  it('a PFX with the empty password: published as it is with the empty password', () => {
    const p = readPfx(fixture('empty-password.pfx'), undefined, undefined);
    expect(p.passwordUsed).toBe(false);
    expect(p.modernPfx?.password).toBe('');
  });

  it('a Windows 3DES PFX: 3DES is no legacy cipher, and it is not the modern profile', () => {
    const p = readPfx(fixture('windows-3des.pfx'), undefined, PASS);
    expect(p.details).toEqual({ encryption: 'PBE-SHA1-3DES', mac: 'HMAC-SHA1, 2048 iterations', maxIterations: 2048 });
    expect(p.findings).toEqual([]);
    expect(p.modernPfx).toBeUndefined();
  });

  it.runIf(withKeytool)('a keytool keystore: each certificate with its alias', () => {
    const p = readPfx(keytoolStore('PKCS12', ['alpha', 'beta', 'gamma']), undefined, PASS);
    expect(p.certs.map((c) => [c.name, c.value.subject]).sort()).toEqual([
      ['alpha', 'CN=alpha'],
      ['beta', 'CN=beta'],
      ['gamma', 'CN=gamma'],
    ]);
    expect(p.keys).toHaveLength(3);
  });
});

describe('readPfx says what in the encryption Kestrel or OpenSSL would trip on', () => {
  it('LEGACY_ENCRYPTION for RC2, naming only the legacy cipher', () => {
    const file = fixture('openssl-legacy-rc2.pfx');
    const p = readPfx(file, undefined, PASS);
    expect(p.details.encryption).toBe('PBE-SHA1-RC2-40, PBE-SHA1-3DES');
    expect(p.findings).toEqual([
      finding(messages.LEGACY_ENCRYPTION.legacy({ file, ciphers: ['PBE-SHA1-RC2-40'] }), 'info', file),
    ]);
    expect(p.findings[0]!.message).toBe(
      `${file} uses PBE-SHA1-RC2-40, which OpenSSL 3 refuses without its legacy provider (so does .NET on Linux ` +
        'without it)',
    );
    expect(p.modernPfx).toBeUndefined();
  });

  // OpenSSL 3 reads PBES2 with DES-EDE3-CBC without its legacy provider (`openssl pkcs12 -in` of this file
  // without -legacy opens its key), so the finding must not name it beside RC2.
  it('LEGACY_ENCRYPTION for RC2 certificates beside a PBES2 3DES-CBC key names RC2 alone', () => {
    const file = opensslPfx(2048, '-legacy -certpbe PBE-SHA1-RC2-40 -keypbe DES-EDE3-CBC');
    const p = readPfx(file, undefined, PASS);
    expect(p.details.encryption).toBe('PBE-SHA1-RC2-40, PBES2 3DES-CBC');
    expect(p.findings).toEqual([
      finding(messages.LEGACY_ENCRYPTION.legacy({ file, ciphers: ['PBE-SHA1-RC2-40'] }), 'info', file),
    ]);
  });

  it(".NET's per-KDF limit: 300,000 iterations are fine, 300,001 PFX_REENCODED and not published as it is", () => {
    const at = opensslPfx(300_000);
    const p = readPfx(at, undefined, PASS);
    expect(p.details).toEqual({
      encryption: 'PBES2 AES-256-CBC',
      mac: 'HMAC-SHA256, 300000 iterations',
      maxIterations: 300_000,
    });
    expect(p.findings).toEqual([]);
    expect(p.modernPfx?.password).toBe(PASS);
    const over = opensslPfx(300_001);
    const q = readPfx(over, undefined, PASS);
    expect(q.findings).toEqual([reencoded(over, 300_001)]);
    expect(q.findings[0]!.message).toBe(
      `${over} asks for 300,001 iterations, more than .NET's Pkcs12LoaderLimits allow (300,000), so Kestrel would ` +
        'refuse it',
    );
    expect(q.modernPfx).toBeUndefined();
  });

  // .NET charges the KDFs that decrypt against its total, not the MAC (X509CertificateLoader.Pkcs12.cs): a keytool
  // store of n aliases has n + 1 of them (the certificates, then each key) besides its MAC.
  it.runIf(withKeytool)(
    ".NET's total limit: four decrypting KDFs of 250,000 iterations are fine, of 250,001 PFX_REENCODED",
    () => {
      const at = keytoolStore('PKCS12', ['alpha', 'beta', 'gamma'], 250_000);
      const p = readPfx(at, undefined, PASS);
      expect(p.details.maxIterations).toBe(250_000);
      expect(p.findings).toEqual([]);
      const over = keytoolStore('PKCS12', ['alpha', 'beta', 'gamma'], 250_001);
      const [f, ...more] = readPfx(over, undefined, PASS).findings;
      expect(more).toEqual([]);
      expect(f).toEqual(finding(messages.PFX_REENCODED.total({ file: over, total: 1_000_004 }), 'warning', over));
      // Not the per-KDF words: each of the four is within that limit.
      expect(f!.message).toBe(
        `${over} asks for 1,000,004 iterations over the key derivations that decrypt it, more than .NET's ` +
          'Pkcs12LoaderLimits allow in one file (1,000,000), so Kestrel would refuse it',
      );
    },
  );

  it.runIf(withKeytool)(
    ".NET's total limit leaves the MAC out: three decrypting KDFs and a MAC of 250,001 are fine",
    () => {
      const file = keytoolStore('PKCS12', ['alpha', 'beta'], 250_001);
      expect(readPfx(file, undefined, PASS).findings).toEqual([]);
    },
  );

  it('publishes the modern profile as it is from 2,048 iterations, not below', () => {
    const below = readPfx(opensslPfx(2047), undefined, PASS);
    expect(below.details.maxIterations).toBe(2047);
    expect(below.findings).toEqual([]);
    expect(below.modernPfx).toBeUndefined();
    const file = opensslPfx(2048);
    expect(readPfx(file, undefined, PASS).modernPfx?.bytes).toEqual(fs.readFileSync(file));
  });
});

describe('readPfx refuses', () => {
  it.runIf(withKeytool)('a Java keystore, before reading it as PKCS#12', () => {
    const file = keytoolStore('JKS', ['server']);
    expect(refusal(() => readPfx(file, undefined, PASS))).toEqual(
      expected(messages.UNSUPPORTED_FORMAT.keystore({ file, name: 'a Java KeyStore (JKS)', type: 'JKS' }), file),
    );
  });

  it("a damaged PFX, with `cannot open <file>: ` in front of the parser's finding", () => {
    const file = fixture('../hostile/pfx-truncated-at-100.pfx');
    const parser = failure(() => parsePkcs12(fs.readFileSync(file), PASS)).finding;
    const f = refusal(() => readPfx(file, undefined, PASS));
    expect(f).toEqual({ ...parser, message: `cannot open ${file}: ${parser.message}`, file });
    expect(f.code).toBe('FILE_CORRUPT');
  });

  it('a PFX whose key node:crypto cannot read: UNSUPPORTED_ALGORITHM', () => {
    // nopassword.pfx (no MAC, a plain keyBag) with its key's rsaEncryption OID (1.2.840.113549.1.1.1) made
    // 1.2.840.113549.1.1.99, which no library knows.
    const bytes = readFixture('nopassword.pfx');
    const keyBag = bytes.indexOf(Buffer.from('060b2a864886f70d010c0a0101', 'hex'));
    const rsa = bytes.indexOf(Buffer.from('06092a864886f70d010101', 'hex'), keyBag);
    expect(keyBag).toBeGreaterThan(0);
    expect(rsa).toBeGreaterThan(keyBag);
    bytes[rsa + 10] = 99;
    const dir = tmp();
    const file = path.join(dir, 'api.pfx');
    fs.writeFileSync(file, bytes);
    const f = refusal(() => readPfx(file, [dir], undefined));
    expect(f).toEqual(expected(messages.UNSUPPORTED_ALGORITHM.pfxKeyType({ file }), file));
    expect(f.message).toBe(`cannot open ${file}: its private key is of a type node:crypto cannot read`);
  });

  it('a PFX that links out of the source directory', () => {
    const dir = tmp();
    const file = path.join(dir, 'api.pfx');
    fs.symlinkSync(fixture('openssl3-default.pfx'), file);
    expect(refusal(() => readPfx(file, [dir], PASS))).toEqual(
      expected(
        messages.SOURCE_UNREADABLE.linkOutside({ file, real: fixture('openssl3-default.pfx'), root: dir }),
        file,
      ),
    );
  });
});

// The certificates' DER, as modernPfx carries them, are those the PFX holds.
it('modernPfx carries the DER of every certificate', () => {
  const p = readPfx(fixture('windows-aes.pfx'), undefined, PASS);
  expect(p.modernPfx?.certs.map((der) => new crypto.X509Certificate(der).fingerprint256)).toEqual(
    p.certs.map((c) => c.value.fingerprint256),
  );
});
