// What loadSource (sidecar/load/index.ts) makes of what the readers found: the Material's source (kind,
// files, details), the password it keeps for the output, the PFX it may publish as it is, the certificates
// that come with the leaf, the order of its findings, and KEY_MISSING naming a skipped file that holds a key.
// Written to kill its mutants (docs/testing.md, "Mutation score"): real files from test/fixtures, put together
// in temp dirs, and PFX files written by openssl.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../../sidecar/load/index.js';
import { catFixtures, failure, fixture, fixtureDir, PASS, readFixture } from '../../support/helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-load-index-'));
const fp = (name: string) => new crypto.X509Certificate(readFixture(name)).fingerprint256;
const LEAF = fp('rsa2048.crt');
const INTER = fp('inter.crt');
const ROOT = fp('root.crt');
const dir = (files: Record<string, string | Buffer>) => fixtureDir(files, 'kcs-load-index-');
const cat = catFixtures;
const codes = (m: { findings: { severity: string; code: string }[] }) =>
  m.findings.map((f) => `${f.severity} ${f.code}`);

describe('the source of the Material', () => {
  it('a PEM directory: kind pem, the files that gave a certificate or key, the layout', () => {
    const d = dir({ 'server.crt': cat('rsa2048.crt', 'inter.crt'), 'server.key': 'rsa2048.key' });
    fs.writeFileSync(
      path.join(d, 'req.pem'),
      '-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----\n',
    );
    const m = loadSource({ source: d });
    expect(m.source).toEqual({
      kind: 'pem',
      files: [path.join(d, 'server.crt'), path.join(d, 'server.key')],
      details: { layout: 'pem' },
    });
    expect(codes(m)).toEqual(['info SOURCE_FILE_SKIPPED']);
  });

  it('a Kubernetes secret: kind kubernetes-tls, ca.crt last among the files, and its anchor', () => {
    const m = loadSource({ source: fixture('k8s-secret') });
    expect(m.source.kind).toBe('kubernetes-tls');
    expect(m.source.files.map((f) => path.basename(f))).toEqual(['tls.crt', 'tls.key', 'ca.crt']);
    expect(m.anchors.map((c) => c.fingerprint256)).toEqual([ROOT]);
  });

  it("certbot's directory: kind letsencrypt", () => {
    const m = loadSource({ source: fixture('letsencrypt') });
    expect(m.source.kind).toBe('letsencrypt');
    expect(m.source.details).toEqual({ layout: 'letsencrypt' });
  });

  it('a PFX with a chain file beside it: kind pfx, the PFX first, its details after the layout', () => {
    const d = dir({ 'api.pfx': 'openssl3-default.pfx', 'extra.crt': 'other.crt' });
    const m = loadSource({ source: d, password: PASS });
    expect(m.source).toEqual({
      kind: 'pfx',
      files: [path.join(d, 'api.pfx'), path.join(d, 'extra.crt')],
      details: {
        layout: 'pfx',
        encryption: 'PBES2 AES-256-CBC',
        mac: 'HMAC-SHA256, 2048 iterations',
        maxIterations: 2048,
      },
    });
    expect(m.others.map((c) => c.fingerprint256)).toEqual([INTER, ROOT, fp('other.crt')]);
  });

  it('names a file once when KCS_CERT_FILE and KCS_KEY_FILE are the same file', () => {
    const source = fixture('pem-combined');
    const m = loadSource({ source, certFile: 'bundle.pem', keyFile: 'bundle.pem' });
    expect(m.source).toEqual({ kind: 'pem', files: [path.join(source, 'bundle.pem')], details: { layout: 'chosen' } });
    expect(m.others.map((c) => c.fingerprint256)).toEqual([INTER]);
  });

  it('says the key was encrypted, for an encrypted PEM key only', () => {
    expect(loadSource({ source: fixture('pem-encrypted'), password: PASS }).source.details).toEqual({
      layout: 'pem',
      keyEncrypted: true,
    });
    expect(loadSource({ source: fixture('pem-pkcs8'), password: PASS }).source.details).toEqual({ layout: 'pem' });
  });
});

describe('the password kept for the output: only one that opened something', () => {
  it.each([
    ['a PFX it opened', 'openssl3-default.pfx', PASS, PASS],
    ['an encrypted PEM key it opened', 'pem-encrypted', PASS, PASS],
    ['a PFX with no password at all', 'nopassword.pfx', PASS, undefined],
    ['a PFX under the empty password, given as nothing', 'empty-password.pfx', undefined, undefined],
    ['a PFX under the empty password, given as such', 'empty-password.pfx', '', undefined],
    ['a plain PEM key', 'pem-pkcs8', PASS, undefined],
  ] as const)('%s', (_what, source, password, kept) => {
    const m = loadSource({ source: fixture(source), ...(password !== undefined ? { password } : {}) });
    expect(m.inputPassword).toBe(kept);
    expect('inputPassword' in m).toBe(kept !== undefined);
  });
});

describe('the PFX published as it is', () => {
  it('is the source PFX when its key needs no rewriting', () => {
    const m = loadSource({ source: fixture('openssl3-default.pfx'), password: PASS });
    expect(m.modernPfx?.bytes.equals(readFixture('openssl3-default.pfx'))).toBe(true);
    expect(m.modernPfx?.password).toBe(PASS);
  });

  it('is not kept when the key is rewritten with its named curve', () => {
    const d = tmp();
    const pfx = path.join(d, 'explicit.pfx');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      fixture('key-explicit-ec/tls.crt'),
      '-inkey',
      fixture('key-explicit-ec/tls.key'),
      '-passout',
      `pass:${PASS}`,
      '-out',
      pfx,
    ]);
    const m = loadSource({ source: pfx, password: PASS });
    expect(codes(m)).toEqual(['info KEY_REENCODED']);
    expect(m.modernPfx).toBeUndefined();
    expect(m.leaf.checkPrivateKey(m.key)).toBe(true);
  });
});

describe('the certificates that come with the leaf', () => {
  it('once each, in input order, without the leaf', () => {
    const d = dir({
      'server.crt': cat('inter.crt', 'rsa2048.crt', 'root.crt', 'inter.crt', 'rsa2048.crt'),
      'server.key': 'rsa2048.key',
    });
    const m = loadSource({ source: d });
    expect(m.leaf.fingerprint256).toBe(LEAF);
    expect(m.others.map((c) => c.fingerprint256)).toEqual([INTER, ROOT]);
  });

  it('without the other pairs when KCS_CERT_ENTRY chose one of several', () => {
    const d = dir({
      'a.crt': cat('rsa2048.crt', 'inter.crt'),
      'a.key': 'rsa2048.key',
      'b.crt': 'p256.crt',
      'b.key': 'p256.key',
    });
    const m = loadSource({ source: d, certEntry: LEAF });
    expect(m.leaf.fingerprint256).toBe(LEAF);
    expect(m.others.map((c) => c.fingerprint256)).toEqual([INTER]);
    const other = loadSource({ source: d, certEntry: fp('p256.crt') });
    expect(other.others.map((c) => c.fingerprint256)).toEqual([INTER]);
  });
});

describe('the findings, in order: the PFX, the PEM files, the key, the leaf, the skipped files', () => {
  it('a legacy PFX beside a PEM file that does not parse', () => {
    const d = dir({ 'api.pfx': 'openssl-legacy-rc2.pfx', 'broken.crt': Buffer.from('-----BEGIN CERTIFICATE-----\n') });
    const m = loadSource({ source: d, password: PASS });
    expect(m.findings.map((f) => `${f.code} ${path.basename(f.file!)}`)).toEqual([
      'LEGACY_ENCRYPTION api.pfx',
      'SOURCE_FILE_SKIPPED broken.crt',
    ]);
  });

  it('a traditional key whose certificate file starts with the issuer, beside a stray certificate', () => {
    const d = dir({
      'cert.pem': cat('inter.crt', 'rsa2048.crt'),
      'key.pem': 'key-traditional/key.pem',
      notes: cat('other.crt'),
    });
    const m = loadSource({ source: d, password: PASS });
    expect(m.findings.map((f) => `${f.severity} ${f.code} ${path.basename(f.file!)}`)).toEqual([
      'info KEY_REENCODED key.pem',
      'info LEAF_NOT_FIRST cert.pem',
      'warning SOURCE_FILE_SKIPPED notes',
    ]);
    expect(m.findings[0]!.message).toContain("uses OpenSSL's traditional encryption");
  });

  it('an explicit-curve key: its finding after those of the PEM files', () => {
    const d = dir({
      'tls.crt': 'key-explicit-ec/tls.crt',
      'tls.key': 'key-explicit-ec/tls.key',
      'x.p12': 'nopassword.pfx',
    });
    const m = loadSource({ source: d });
    expect(m.findings.map((f) => `${f.severity} ${f.code} ${path.basename(f.file!)}`)).toEqual([
      'info KEY_REENCODED tls.key',
      'info SOURCE_FILE_SKIPPED x.p12',
    ]);
  });

  it('no traditional-key finding for a plain key beside a traditional one that is not the leaf key', () => {
    const d = dir({
      'a.crt': 'rsa2048.crt',
      'a.key': 'rsa2048.key',
      'b.crt': 'p256.crt',
      'b.key': Buffer.from(
        crypto
          .createPrivateKey(readFixture('p256.key'))
          .export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: PASS }),
      ),
    });
    const m = loadSource({ source: d, password: PASS, certEntry: LEAF });
    expect(m.findings).toEqual([]);
    const b = loadSource({ source: d, password: PASS, certEntry: fp('p256.crt') });
    expect(codes(b)).toEqual(['info KEY_REENCODED']);
  });
});

describe('SOURCE_NOT_FOUND names the file given as the source', () => {
  it('a PFX with no certificate and no key', () => {
    // PFX { version 3, ContentInfo { data, [0] AuthenticatedSafe {} } }, written with node-forge's ASN.1 writer.
    const { asn1 } = forge;
    const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
    const data = asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OID,
      false,
      asn1.oidToDer('1.2.840.113549.1.7.1').getBytes(),
    );
    const empty = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(seq([])).getBytes());
    const content = seq([data, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [empty])]);
    const pfx = seq([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x03'), content]);
    const file = path.join(tmp(), 'empty.pfx');
    fs.writeFileSync(file, Buffer.from(asn1.toDer(pfx).getBytes(), 'latin1'));
    expect(failure(() => loadSource({ source: file })).message).toBe(
      `SOURCE_NOT_FOUND cannot find a certificate in ${file}`,
    );
  });
});

describe('KEY_MISSING names a skipped file that holds a key', () => {
  const where = (d: string) => `cannot find the private key of CN=rsa2048 in ${d}`;
  const HINT = 'mount the key beside the certificate (tls.key, privkey.pem or <name>.key), or set KCS_KEY_FILE to it';

  it('a Kubernetes secret with its key in server.key', () => {
    const d = dir({ 'tls.crt': 'rsa2048.crt', 'root.pem': 'root.crt', 'server.key': 'rsa2048.key' });
    const err = failure(() => loadSource({ source: d }));
    expect(err.finding).toEqual({
      code: 'KEY_MISSING',
      severity: 'error',
      message:
        `${where(d)}; ${path.join(d, 'server.key')} holds a private key but is not read (a Kubernetes TLS secret ` +
        'is read from tls.crt, tls.key and ca.crt)',
      hint: HINT,
      file: path.join(d, 'tls.crt'),
    });
  });

  it('not when the skipped files hold certificates only', () => {
    const d = dir({ 'tls.crt': 'rsa2048.crt', 'root.pem': 'root.crt' });
    expect(failure(() => loadSource({ source: d })).finding).toEqual({
      code: 'KEY_MISSING',
      severity: 'error',
      message: where(d),
      hint: HINT,
      file: path.join(d, 'tls.crt'),
    });
  });

  it('not for another finding, such as a key of another certificate', () => {
    const d = dir({ 'tls.crt': 'rsa2048.crt', 'tls.key': 'other.key', 'server.key': 'rsa2048.key' });
    const err = failure(() => loadSource({ source: d }));
    expect(err.code).toBe('KEY_MISMATCH');
    expect(err.message).not.toContain('holds a private key');
  });
});
