// sidecar/load/pem-source.ts: what each PEM or DER file of a source contributes, what a file that holds no
// certificate or key gives in each layout (a note, or FILE_CORRUPT), the PEM files beside a PFX (certificates
// only: a key is SOURCE_AMBIGUOUS, a file that does not parse a warning), and the anchors of ca.crt. Written to
// kill its mutants (docs/testing.md, "Mutation score"); real files from test/fixtures in temp dirs.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover } from '../../../sidecar/load/discover.js';
import { parseCert, readAnchors, readPemFiles } from '../../../sidecar/load/pem-source.js';
import { catFixtures, failure, fixture, fixtureDir, PASS, readFixture } from '../../support/helpers.js';

const fp = (name: string) => new crypto.X509Certificate(readFixture(name)).fingerprint256;
const dir = (files: Record<string, string | Buffer>) => fixtureDir(files, 'kcs-pem-source-');
const cat = catFixtures;
const CSR = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----\n');
/** readPemFiles of the source as discover() sees it. */
const read = (source: string, password?: string) => readPemFiles(discover({ source }), password);
/** A DER PKCS#7 bundle with no certificate, as `openssl crl2pkcs7 -nocrl` writes it without -certfile. */
const emptyP7b = () => execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-outform', 'DER'], { stdio: 'pipe' });

describe('parseCert', () => {
  it('refuses DER that is not X.509, naming the file', () => {
    expect(failure(() => parseCert(Buffer.from('3003020101', 'hex'), '/certs/api.pfx')).finding).toEqual({
      code: 'FILE_CORRUPT',
      severity: 'error',
      message: 'cannot read /certs/api.pfx: it holds a certificate that is not valid X.509',
      hint: 'export the file again from its source',
      file: '/certs/api.pfx',
    });
  });
});

describe('readPemFiles', () => {
  it('gives each certificate and key with its file, every certificate of each file in order', () => {
    const d = dir({ 'a.crt': cat('inter.crt', 'rsa2048.crt'), 'a.key': 'rsa2048.key', 'b.crt': 'root.crt' });
    const out = read(d);
    const [a, key, b] = [path.join(d, 'a.crt'), path.join(d, 'a.key'), path.join(d, 'b.crt')];
    expect(out.certs.map((c) => [c.value.fingerprint256, c.file])).toEqual([
      [fp('inter.crt'), a],
      [fp('rsa2048.crt'), a],
      [fp('root.crt'), b],
    ]);
    expect(out.keys.map((k) => k.file)).toEqual([key]);
    expect(out.files).toEqual([a, key, b]);
    expect([...out.byFile.keys()]).toEqual([a, key, b]);
    expect(out.byFile.get(a)!.map((c) => c.fingerprint256)).toEqual([fp('inter.crt'), fp('rsa2048.crt')]);
    expect(out.byFile.get(key)).toEqual([]);
    expect([out.keyEncrypted, out.traditional, out.findings]).toEqual([false, [], []]);
  });

  it('says which files held a traditional key, and that a key was encrypted', () => {
    const d = dir({ 'cert.pem': 'rsa2048.crt', 'key.pem': 'key-traditional/key.pem', 'z.key': 'p256.key' });
    const out = read(d, PASS);
    expect(out.keyEncrypted).toBe(true);
    expect(out.traditional).toEqual([path.join(d, 'key.pem')]);
    const pkcs8 = read(fixture('pem-encrypted'), PASS);
    expect([pkcs8.keyEncrypted, pkcs8.traditional]).toEqual([true, []]);
  });

  it('refuses a Java keystore named like a certificate, before reading it as PEM', () => {
    const jks = Buffer.concat([Buffer.from('feedfeed00000002', 'hex'), Buffer.alloc(32)]);
    const d = dir({ 'server.crt': 'rsa2048.crt', 'store.keystore': jks });
    const err = failure(() => read(d));
    expect(err.code).toBe('UNSUPPORTED_FORMAT');
    expect(err.finding.file).toBe(path.join(d, 'store.keystore'));
  });

  it('says which file a parser refused, and why', () => {
    const d = dir({
      'server.crt': Buffer.from('-----BEGIN CERTIFICATE-----\nTUlJQg==\n'),
      'server.key': 'rsa2048.key',
    });
    const file = path.join(d, 'server.crt');
    expect(failure(() => read(d)).finding).toEqual({
      code: 'FILE_CORRUPT',
      severity: 'error',
      message: `cannot read ${file}: the PEM block BEGIN CERTIFICATE has no END line (the file is cut short)`,
      hint: 'export the file again from its source; it is damaged or not the format its name says',
      file,
    });
  });

  describe('a file with no certificate or key', () => {
    const NOTE_HINT = 'nothing, if it is not meant to be published';

    it.each([
      ['a certificate request', 'req.pem', CSR, 'CERTIFICATE REQUEST, not a certificate, key or bundle'],
      ['PEM text with no block', 'notes.pem', Buffer.from('-----BEGIN CERTIFICATE----- (pasted)\n'), 'no PEM block'],
      ['a PKCS#7 bundle with no certificate', 'empty.p7b', emptyP7b(), 'no certificate'],
    ])('in a directory matched by content, %s is a note, and left out', (_what, name, bytes, holds) => {
      const d = dir({ 'server.crt': 'rsa2048.crt', 'server.key': 'rsa2048.key', [name]: bytes });
      const out = read(d);
      const file = path.join(d, name);
      expect(out.findings).toEqual([
        {
          code: 'SOURCE_FILE_SKIPPED',
          severity: 'info',
          message: `${file} is not used: it holds ${holds}`,
          hint: NOTE_HINT,
          file,
        },
      ]);
      expect(out.files).not.toContain(file);
      expect(out.byFile.has(file)).toBe(false);
      expect(out.certs).toHaveLength(1);
    });

    it('lists every label it holds, in order', () => {
      const pub = Buffer.from('-----BEGIN PUBLIC KEY-----\nTUlJQg==\n-----END PUBLIC KEY-----\n');
      const d = dir({ 'server.crt': 'rsa2048.crt', 'server.key': 'rsa2048.key', 'x.pem': Buffer.concat([CSR, pub]) });
      expect(read(d).findings.map((f) => f.message)).toEqual([
        `${path.join(d, 'x.pem')} is not used: it holds CERTIFICATE REQUEST, PUBLIC KEY, ` +
          'not a certificate, key or bundle',
      ]);
    });

    it('beside a PFX, a certificate request is a note too', () => {
      const d = dir({ 'api.pfx': 'openssl3-default.pfx', 'req.pem': CSR });
      const out = read(d, PASS);
      expect(out.findings.map((f) => `${f.severity} ${f.message}`)).toEqual([
        `info ${path.join(d, 'req.pem')} is not used: it holds CERTIFICATE REQUEST, not a certificate, key or bundle`,
      ]);
    });

    it('in a named layout it is FILE_CORRUPT: the file named as the certificate holds none', () => {
      const d = dir({ 'tls.crt': CSR, 'tls.key': 'rsa2048.key' });
      const file = path.join(d, 'tls.crt');
      expect(failure(() => read(d)).finding).toEqual({
        code: 'FILE_CORRUPT',
        severity: 'error',
        message: `cannot read ${file}: it holds CERTIFICATE REQUEST, not a certificate, key or bundle`,
        hint: 'mount the certificate (BEGIN CERTIFICATE) and its key (BEGIN PRIVATE KEY)',
        file,
      });
    });
  });

  describe('PEM files beside a PFX', () => {
    it('add their certificates, PEM or DER', () => {
      const der = Buffer.from(new crypto.X509Certificate(readFixture('other.crt')).raw);
      const d = dir({ 'api.pfx': 'openssl3-default.pfx', 'other.cer': der, 'root.pem': 'root.crt' });
      const out = read(d, PASS);
      expect(out.certs.map((c) => c.value.fingerprint256)).toEqual([fp('other.crt'), fp('root.crt')]);
      expect(out.findings).toEqual([]);
    });

    it.each([
      ['PRIVATE KEY', 'rsa2048.key'],
      ['ENCRYPTED PRIVATE KEY', 'pem-encrypted/key.pem'],
      ['EC PRIVATE KEY', 'pem-sec1/key.pem'],
    ])('may not hold a key (%s): which to publish would be a guess', (_label, key) => {
      const d = dir({ 'api.pfx': 'openssl3-default.pfx', 'server.key': key });
      expect(failure(() => read(d, PASS)).finding).toEqual({
        code: 'SOURCE_AMBIGUOUS',
        severity: 'error',
        message: `cannot choose a certificate in ${d}: it holds api.pfx and a private key in server.key`,
        hint: 'set KCS_CERT_FILE=api.pfx to use the PFX, or remove one of them',
        file: path.join(d, 'server.key'),
      });
    });

    it('may not hold a key beside certificates either', () => {
      const d = dir({ 'api.pfx': 'openssl3-default.pfx', 'both.pem': cat('rsa2048.crt', 'rsa2048.key') });
      expect(failure(() => read(d, PASS)).message).toBe(
        `SOURCE_AMBIGUOUS cannot choose a certificate in ${d}: it holds api.pfx and a private key in both.pem`,
      );
    });

    it('are left out with a warning when they do not parse', () => {
      const d = dir({
        'api.pfx': 'openssl3-default.pfx',
        'chain.pem': Buffer.from('-----BEGIN CERTIFICATE-----\n*\n-----END CERTIFICATE-----\n'),
      });
      const file = path.join(d, 'chain.pem');
      const out = read(d, PASS);
      expect(out.findings).toEqual([
        {
          code: 'SOURCE_FILE_SKIPPED',
          severity: 'warning',
          message: `${file} beside api.pfx is not used: the PEM block CERTIFICATE is not valid base64`,
          hint: 'remove the file, or export it again if its certificates belong to the chain',
          file,
        },
      ]);
      expect([out.certs, out.files]).toEqual([[], []]);
    });
  });
});

describe('readAnchors', () => {
  it('reads every certificate of ca.crt, PEM or DER', () => {
    const d = dir({ 'tls.crt': 'rsa2048.crt', 'tls.key': 'rsa2048.key', 'ca.crt': cat('root.crt', 'inter.crt') });
    expect(readAnchors(discover({ source: d })).map((c) => c.fingerprint256)).toEqual([
      fp('root.crt'),
      fp('inter.crt'),
    ]);
    fs.writeFileSync(path.join(d, 'ca.crt'), new crypto.X509Certificate(readFixture('root.crt')).raw);
    expect(readAnchors(discover({ source: d })).map((c) => c.fingerprint256)).toEqual([fp('root.crt')]);
  });

  it('says which file it could not read', () => {
    const d = dir({ 'tls.crt': 'rsa2048.crt', 'tls.key': 'rsa2048.key', 'ca.crt': Buffer.from('not a certificate') });
    const file = path.join(d, 'ca.crt');
    const err = failure(() => readAnchors(discover({ source: d })));
    expect(err.message).toBe(`FILE_CORRUPT cannot read ${file}: the file is neither PEM text nor DER`);
    expect(err.finding.file).toBe(file);
  });
});
