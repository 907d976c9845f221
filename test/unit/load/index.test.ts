import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { loadSource } from '../../../sidecar/load/index.js';
import { PASS, UNICODE_PASS, fixture, readFixture } from '../../support/helpers.js';

const fp = (name: string) => new crypto.X509Certificate(readFixture(name)).fingerprint256;
const RSA = fp('rsa2048.crt');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-load-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' }).toString();

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof KcsError) return err.code;
    throw err;
  }
  return undefined;
}

describe('loadSource reads every input kind a user is likely to have', () => {
  it.each([
    ['an OpenSSL 3 PFX', 'openssl3-default.pfx', PASS, RSA, 'pfx'],
    ['a legacy RC2-40 PFX', 'openssl-legacy-rc2.pfx', PASS, RSA, 'pfx'],
    ['a Windows-style 3DES PFX', 'windows-3des.pfx', PASS, RSA, 'pfx'],
    ['a GnuTLS certtool PFX with 600,000 iterations', 'gnutls.p12', PASS, RSA, 'pfx'],
    ['a Java keytool PKCS12 keystore', 'keytool.p12', PASS, undefined, 'pfx'],
    ['an mkcert PFX', 'mkcert.p12', 'changeit', undefined, 'pfx'],
    ['a dotnet dev-certs PFX export', 'dotnet-devcert.pfx', PASS, undefined, 'pfx'],
    ['a PFX with no password at all', 'nopassword.pfx', undefined, RSA, 'pfx'],
    ['a PFX with the empty password', 'empty-password.pfx', undefined, RSA, 'pfx'],
    ['a PFX with a Unicode password', 'unicode-password.pfx', UNICODE_PASS, RSA, 'pfx'],
    ['a P-384 PFX', 'ecdsa-p384.pfx', PASS, fp('p384.crt'), 'pfx'],
    ['an RSA 8192 PFX', 'rsa8192.pfx', PASS, fp('rsa8192.crt'), 'pfx'],
    ['a Visual Studio Https folder with one app', 'vs-https-one', PASS, RSA, 'pfx'],
    ['a Kubernetes TLS secret with ..data symlinks', 'k8s-secret', undefined, RSA, 'kubernetes-tls'],
    ["a Let's Encrypt directory", 'letsencrypt', undefined, RSA, 'letsencrypt'],
    ['a dotnet dev-certs PEM export', 'dotnet-pem', undefined, undefined, 'pem'],
    ['PEM with a PKCS#8 key', 'pem-pkcs8', undefined, RSA, 'pem'],
    ['PEM with a PKCS#1 RSA key', 'pem-pkcs1', undefined, RSA, 'pem'],
    ['PEM with a SEC1 EC key', 'pem-sec1', undefined, fp('p256.crt'), 'pem'],
    ['PEM with an encrypted PKCS#8 key', 'pem-encrypted', PASS, RSA, 'pem'],
    ['one combined PEM file', 'pem-combined/bundle.pem', undefined, RSA, 'pem'],
    ['a chain in reverse order', 'pem-reversed', undefined, RSA, 'pem'],
    ['a DER .cer certificate with its key', 'der-cer', undefined, RSA, 'pem'],
  ] as const)('%s (%s)', (_what, source, password, leaf, kind) => {
    const m = loadSource({ source: fixture(source), ...(password !== undefined ? { password } : {}) });
    if (leaf) expect(m.leaf.fingerprint256).toBe(leaf);
    expect(m.leaf.checkPrivateKey(m.key)).toBe(true);
    expect(m.source.kind).toBe(kind);
  });

  it('reads the trust anchor of a Kubernetes secret from ca.crt', () => {
    const m = loadSource({ source: fixture('k8s-secret') });
    expect(m.anchors.map((c) => c.fingerprint256)).toEqual([fp('root.crt')]);
  });

  it('picks the app named by KCS_APP_NAME in a Visual Studio folder of several', () => {
    const m = loadSource({ source: fixture('vs-https-two'), appName: 'MyWeb', password: PASS });
    expect(m.leaf.fingerprint256).toBe(fp('p256.crt'));
  });

  it('picks the file named by KCS_CERT_FILE', () => {
    const m = loadSource({ source: fixture('vs-https-two'), certFile: 'MyApi.pfx', password: PASS });
    expect(m.leaf.fingerprint256).toBe(RSA);
  });

  it('finds the key of KCS_CERT_FILE among the directory files', () => {
    const m = loadSource({ source: fixture('letsencrypt'), certFile: 'cert.pem' });
    expect(m.leaf.fingerprint256).toBe(RSA);
  });
});

describe('loadSource refuses what it cannot use, with a finding code', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-load-'));
  const dir = (name: string, files: Record<string, string | Buffer>) => {
    const d = path.join(tmp, name);
    fs.mkdirSync(d, { recursive: true });
    for (const [f, c] of Object.entries(files)) fs.writeFileSync(path.join(d, f), c);
    return d;
  };
  const mismatch = dir('mismatch', { 'tls.crt': readFixture('rsa2048.crt'), 'tls.key': readFixture('other.key') });
  const twoPairs = dir('two-pairs', {
    'a.crt': readFixture('rsa2048.crt'),
    'a.key': readFixture('rsa2048.key'),
    'b.crt': readFixture('p256.crt'),
    'b.key': readFixture('p256.key'),
  });
  const pfxAndKey = dir('pfx-and-key', {
    'api.pfx': readFixture('openssl3-default.pfx'),
    'other.key': readFixture('other.key'),
  });
  const empty = dir('empty', { 'README.txt': 'nothing here' });
  const emptyFile = dir('empty-file', { 'tls.crt': '', 'tls.key': readFixture('rsa2048.key') });
  const csr = dir('csr', {
    'req.pem': '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
  });
  const outside = dir('outside', {});
  fs.symlinkSync(fixture('rsa2048.key'), path.join(outside, 'tls.key'));
  fs.copyFileSync(fixture('rsa2048.crt'), path.join(outside, 'tls.crt'));

  it.each([
    ['a wrong PFX password', 'PASSWORD_WRONG', { source: fixture('openssl3-default.pfx'), password: 'wrong' }],
    ['a PFX without its password', 'PASSWORD_REQUIRED', { source: fixture('openssl3-default.pfx') }],
    ['an encrypted key without its password', 'PASSWORD_REQUIRED', { source: fixture('pem-encrypted') }],
    [
      'an encrypted key with a wrong password',
      'PASSWORD_WRONG',
      { source: fixture('pem-encrypted'), password: 'wrong' },
    ],
    [
      'a PFX asking for 2,500,000 iterations',
      'ITERATIONS_TOO_HIGH',
      { source: fixture('iter-2500k.pfx'), password: PASS },
    ],
    ['a PFX holding no key', 'KEY_MISSING', { source: fixture('certs-only.pfx'), password: PASS }],
    ['a certificate without its key', 'KEY_MISSING', { source: fixture('key-missing') }],
    ['a key that belongs to another certificate', 'KEY_MISMATCH', { source: mismatch }],
    ['two PFX files', 'SOURCE_AMBIGUOUS', { source: fixture('vs-https-two'), password: PASS }],
    ['two certificate and key pairs', 'SOURCE_AMBIGUOUS', { source: twoPairs }],
    ['a PFX beside another private key', 'SOURCE_AMBIGUOUS', { source: pfxAndKey, password: PASS }],
    ['a directory with no certificate', 'SOURCE_NOT_FOUND', { source: empty }],
    ['a source that does not exist', 'SOURCE_NOT_FOUND', { source: path.join(tmp, 'nope') }],
    ['an empty file', 'FILE_CORRUPT', { source: emptyFile }],
    ['a certificate request instead of a certificate', 'FILE_CORRUPT', { source: path.join(csr, 'req.pem') }],
    ['a symlink that leaves the source directory', 'SOURCE_UNREADABLE', { source: outside }],
  ] as const)('%s gives %s', (_what, code, opts) => {
    expect(codeOf(() => loadSource(opts as Parameters<typeof loadSource>[0]))).toBe(code);
  });

  it('names both candidates and how to pick one when it is ambiguous', () => {
    try {
      loadSource({ source: fixture('vs-https-two'), password: PASS });
      expect.unreachable();
    } catch (err) {
      expect((err as KcsError).finding.message).toBe(
        `cannot choose a certificate in ${fixture('vs-https-two')}: it holds 2 PFX files (MyApi.pfx, MyWeb.pfx)`,
      );
      expect((err as KcsError).finding.hint).toBe(
        'set KCS_CERT_FILE to the one to publish, for example KCS_CERT_FILE=MyApi.pfx',
      );
    }
  });

  it('says the password is wrong in the words of DESIGN.md', () => {
    try {
      loadSource({ source: fixture('openssl3-default.pfx'), password: 'wrong' });
      expect.unreachable();
    } catch (err) {
      const f = (err as KcsError).finding;
      expect(`${f.code} ${f.message}\nfix: ${f.hint}`).toBe(
        `PASSWORD_WRONG cannot open ${fixture('openssl3-default.pfx')}: the password does not match (the PKCS#12 ` +
          `integrity check failed)\nfix: set KCS_PASSWORD_FILE to the file holding the password this PFX was ` +
          `exported with`,
      );
    }
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
