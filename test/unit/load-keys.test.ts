// Key files .NET does not use as they are (each rule is in sidecar/load/kestrel-files.ts with the .NET
// source it comes from; test/integration/kestrel-keys.test.ts shows what a real Kestrel does), and a
// load stage that no certificate Node can parse makes crash: every input gives Material or a KcsError.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../sidecar/findings.js';
import { loadSource } from '../../sidecar/load/index.js';
import { PASS, fixture, readFixture } from '../support/helpers.js';

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

describe('no certificate Node can parse makes the load stage crash', () => {
  const key = path.join(tmp(), 'e.key');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key);
  /** A directory with tls.crt made by `make(dir)` with openssl, and tls.key. */
  const source = (make: (dir: string) => void) => {
    const d = tmp();
    fs.copyFileSync(key, path.join(d, 'tls.key'));
    make(d);
    return d;
  };
  const selfSigned =
    (subject: string, ...extra: string[]) =>
    (d: string) =>
      openssl(
        'req',
        '-x509',
        '-new',
        '-key',
        key,
        '-subj',
        subject,
        '-days',
        '30',
        ...extra,
        '-out',
        path.join(d, 'tls.crt'),
      );

  function longChain(d: string) {
    // 12 CAs, each issuing the next, then the leaf: tls.crt holds them leaf first.
    let [caKey, caCrt] = ['', ''];
    const pems: string[] = [];
    for (let i = 0; i <= 12; i++) {
      const k = path.join(d, `k${i}.pem`);
      const c = path.join(d, `c${i}.pem`);
      if (i < 12) openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', k);
      const ext =
        i < 12 ? ['-addext', 'basicConstraints=critical,CA:TRUE'] : ['-addext', 'subjectAltName=DNS:localhost'];
      const own = i < 12 ? k : key;
      if (i === 0) openssl('req', '-x509', '-new', '-key', own, '-subj', '/CN=ca0', '-days', '30', ...ext, '-out', c);
      else
        openssl(
          'req',
          '-x509',
          '-new',
          '-key',
          own,
          '-subj',
          `/CN=${i < 12 ? `ca${i}` : 'leaf'}`,
          '-days',
          '30',
          ...ext,
          '-CA',
          caCrt,
          '-CAkey',
          caKey,
          '-out',
          c,
        );
      pems.unshift(fs.readFileSync(c, 'utf8'));
      [caKey, caCrt] = [k, c];
    }
    fs.writeFileSync(path.join(d, 'tls.crt'), pems.join(''));
    for (const f of fs.readdirSync(d)) if (/^[kc]\d+\.pem$/.test(f)) fs.rmSync(path.join(d, f));
  }

  it.each([
    [
      'a version-1 certificate (openssl x509 -req -signkey)',
      (d: string) => {
        openssl('req', '-new', '-key', key, '-subj', '/CN=v1', '-out', path.join(d, 'v1.csr'));
        openssl(
          'x509',
          '-req',
          '-in',
          path.join(d, 'v1.csr'),
          '-signkey',
          key,
          '-days',
          '30',
          '-out',
          path.join(d, 'tls.crt'),
        );
        fs.rmSync(path.join(d, 'v1.csr'));
      },
    ],
    [
      'an empty subject with a critical subjectAltName',
      selfSigned('/', '-addext', 'subjectAltName=critical,DNS:localhost'),
    ],
    [
      'multi-valued RDNs, UTF-8, an email address and domain components',
      selfSigned('/CN=Müller+O=Äpfel GmbH/emailAddress=a@b.c/DC=example/DC=test', '-utf8', '-multivalue-rdn'),
    ],
    ['a chain of 13 certificates', longChain],
  ] as const)('%s', (_what, make) => {
    const m = loadSource({ source: source(make) });
    expect(m.leaf.checkPrivateKey(m.key)).toBe(true);
  });

  it('an empty subject is named as such when the key is missing', () => {
    const d = source(selfSigned('/', '-addext', 'subjectAltName=critical,DNS:localhost'));
    fs.rmSync(path.join(d, 'tls.key'));
    let err: unknown;
    try {
      loadSource({ source: d });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KcsError);
    expect((err as KcsError).finding.message).toBe(`cannot find the private key of (empty subject) in ${d}`);
  });

  it('a key of a type that cannot be compared with the certificate is a mismatch, not a crash', () => {
    const d = source(selfSigned('/CN=localhost'));
    fs.writeFileSync(
      path.join(d, 'tls.key'),
      crypto.generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    let err: unknown;
    try {
      loadSource({ source: d });
    } catch (e) {
      err = e;
    }
    expect((err as KcsError).code).toBe('KEY_MISMATCH');
  });
});
