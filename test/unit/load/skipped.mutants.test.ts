// sidecar/load/skipped.ts called on real directories: how far files with other names are looked into (the
// first 4 KiB, the first 64 files), what a skipped file holds (PEM, DER, PKCS#7, a key), and the finding each
// gets (an issuer of the chain, a certificate or key, nothing worth naming) in the words the user reads.
// Written to kill its mutants (docs/testing.md, "Mutation score").
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover } from '../../../sidecar/load/discover.js';
import { lookIntoSkipped, skippedFindings } from '../../../sidecar/load/skipped.js';
import { catFixtures, fixture, fixtureDir, readFixture } from '../../support/helpers.js';

const dir = (files: Record<string, string | Buffer>) => fixtureDir(files, 'kcs-skipped-m-');
const cert = (name: string) => new crypto.X509Certificate(readFixture(name));
const cat = catFixtures;
const looked = (d: string) => lookIntoSkipped(discover({ source: d }));
const summary = (d: string) =>
  looked(d).map((s) => ({
    file: path.basename(s.file),
    unnamed: s.unnamed,
    key: s.key,
    certs: s.certs.map((c) => c.subject),
  }));
/** A Kubernetes secret: every other candidate is skipped by name. */
const PAIR = { 'tls.crt': 'rsa2048.crt', 'tls.key': 'rsa2048.key' };
/** A directory matched by content: files of other names are looked into. */
const BY_CONTENT = { 'server.crt': 'rsa2048.crt', 'server.key': 'rsa2048.key' };

describe('lookIntoSkipped', () => {
  it('reads skipped files by name in full: PEM certificates, a DER certificate, a PKCS#7 bundle, a key', () => {
    const der = Buffer.from(cert('other.crt').raw);
    const d = dir({
      ...PAIR,
      'a.pem': cat('inter.crt', 'root.crt'),
      'b.der': der,
      'c.p7b': 'layout-p7b/chain.p7b',
      'd.key': 'p256.key',
    });
    expect(summary(d)).toEqual([
      { file: 'a.pem', unnamed: false, key: false, certs: ['CN=Fixture Intermediate CA', 'CN=Fixture Root CA'] },
      { file: 'b.der', unnamed: false, key: false, certs: ['CN=other'] },
      { file: 'c.p7b', unnamed: false, key: false, certs: ['CN=Fixture Intermediate CA', 'CN=Fixture Root CA'] },
      { file: 'd.key', unnamed: false, key: true, certs: [] },
    ]);
  });

  it('reads a PEM PKCS#7 block, and takes what it cannot read as holding nothing', () => {
    const d = dir({
      ...PAIR,
      'a.pem': 'layout-p7b-pem/chain.p7c',
      'b.pem': Buffer.from('-----BEGIN CERTIFICATE-----\nTUlJQg==\n-----END CERTIFICATE-----\n'),
      'c.pem': Buffer.from('-----BEGIN CERTIFICATE-----\n'),
      'd.der': Buffer.from('3003020101', 'hex'),
      'e.p12': 'openssl3-default.pfx',
    });
    expect(summary(d)).toEqual([
      { file: 'e.p12', unnamed: false, key: false, certs: [] },
      { file: 'a.pem', unnamed: false, key: false, certs: ['CN=Fixture Intermediate CA', 'CN=Fixture Root CA'] },
      { file: 'b.pem', unnamed: false, key: false, certs: [] },
      { file: 'c.pem', unnamed: false, key: false, certs: [] },
      { file: 'd.der', unnamed: false, key: false, certs: [] },
    ]);
  });

  it('passes over blocks that are neither certificate nor key, and reads nothing of a file with a bad bundle', () => {
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----\n';
    const d = dir({
      ...PAIR,
      'a.pem': Buffer.concat([Buffer.from(csr), readFixture('inter.crt')]),
      'b.pem': Buffer.concat([
        readFixture('inter.crt'),
        Buffer.from('-----BEGIN PKCS7-----\nTUlJQg==\n-----END PKCS7-----\n'),
      ]),
    });
    expect(summary(d)).toEqual([
      { file: 'a.pem', unnamed: false, key: false, certs: ['CN=Fixture Intermediate CA'] },
      { file: 'b.pem', unnamed: false, key: false, certs: [] },
    ]);
  });

  it('passes over a TRUSTED CERTIFICATE block as the loader does, and still sees the key after it', () => {
    const der = Buffer.from(cert('other.crt').raw).toString('base64');
    const trusted = `-----BEGIN TRUSTED CERTIFICATE-----\n${der}\n-----END TRUSTED CERTIFICATE-----\n`;
    const d = dir({ ...PAIR, 'a.pem': Buffer.concat([Buffer.from(trusted), readFixture('p256.key')]) });
    expect(summary(d)).toEqual([{ file: 'a.pem', unnamed: false, key: true, certs: [] }]);
  });

  it('a skipped file it cannot read (a dangling link) holds nothing, and fails nothing', () => {
    const d = dir(PAIR);
    fs.symlinkSync('nowhere.pem', path.join(d, 'gone.pem'));
    expect(summary(d)).toEqual([{ file: 'gone.pem', unnamed: false, key: false, certs: [] }]);
  });

  it('looks into files of other names only when they start like PEM and hold a certificate or key', () => {
    const d = dir({
      ...BY_CONTENT,
      'chain.txt': 'inter.crt',
      'key.bak': 'p256.key',
      README: Buffer.from('certificates for the api\n'),
      'req.txt': Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nTUlJQg==\n-----END CERTIFICATE REQUEST-----\n'),
      'der.bin': Buffer.from(cert('other.crt').raw),
    });
    expect(summary(d)).toEqual([
      { file: 'chain.txt', unnamed: true, key: false, certs: ['CN=Fixture Intermediate CA'] },
      { file: 'key.bak', unnamed: true, key: true, certs: [] },
    ]);
    const why = looked(d).map((s) => s.why);
    expect(why).toEqual([
      'its name ends in .txt, which is not read as a certificate, key or bundle',
      'its name ends in .bak, which is not read as a certificate, key or bundle',
    ]);
  });

  it('says a file without an extension has none', () => {
    const d = dir({ ...BY_CONTENT, chain: 'inter.crt' });
    expect(looked(d).map((s) => s.why)).toEqual(['its name has no certificate extension']);
  });

  it('looks only at the first 4 KiB for the BEGIN line, then reads the whole file', () => {
    // `n` bytes of comment (a line of #), then the certificate: its BEGIN line's 11 bytes end at n + 11.
    const at = (n: number) => Buffer.concat([Buffer.alloc(n - 1, '#'), Buffer.from('\n'), readFixture('inter.crt')]);
    const d = dir({ ...BY_CONTENT, 'fits.txt': at(4096 - 11), 'past.txt': at(4096 - 10), 'far.txt': at(6000) });
    expect(summary(d).map((s) => s.file)).toEqual(['fits.txt']);
  });

  it('looks into the first 64 such files only', () => {
    const files: Record<string, string> = { ...BY_CONTENT };
    for (let i = 0; i < 65; i++) files[`n${String(i).padStart(2, '0')}.txt`] = 'inter.crt';
    const d = dir(files);
    const names = summary(d).map((s) => s.file);
    expect(names).toHaveLength(64);
    expect(names.at(-1)).toBe('n63.txt');
  });
});

describe('skippedFindings', () => {
  const chain = [cert('rsa2048.crt')];
  const findings = (d: string, c = chain) => skippedFindings(looked(d), c);

  it('an issuer of the chain in a file the layout does not read: an error, with where to put it', () => {
    const d = dir({ ...PAIR, 'inter.pem': cat('other.crt', 'inter.crt') });
    const file = path.join(d, 'inter.pem');
    expect(findings(d)).toEqual([
      {
        code: 'SOURCE_FILE_SKIPPED',
        severity: 'error',
        message:
          `${file} holds CN=Fixture Intermediate CA, the issuer of CN=rsa2048, but is not read (a Kubernetes TLS ` +
          'secret is read from tls.crt, tls.key and ca.crt): without it the published chain would stop short',
        hint: 'add its certificates to the certificate file, after the leaf',
        file,
      },
    ]);
  });

  it('the issuer of a chain certificate, not only of the leaf', () => {
    const d = dir({ ...PAIR, 'x.pem': 'inter.crt' });
    expect(findings(d, [cert('other.crt'), cert('rsa2048.crt')]).map((f) => f.severity)).toEqual(['error']);
  });

  it('not an issuer: a root (clients hold their own), a certificate already in the chain, or an unrelated one', () => {
    const d = dir({ ...PAIR, 'a.pem': 'root.crt', 'b.pem': 'rsa2048.crt', 'c.pem': 'other.crt' });
    const inChain = [cert('rsa2048.crt'), cert('inter.crt')];
    expect(findings(d, inChain).map((f) => `${f.severity} ${f.message}`)).toEqual([
      `warning ${path.join(d, 'a.pem')} holds a certificate (CN=Fixture Root CA) and is not read: a Kubernetes TLS ` +
        'secret is read from tls.crt, tls.key and ca.crt',
      `warning ${path.join(d, 'b.pem')} holds a certificate (CN=rsa2048) and is not read: a Kubernetes TLS ` +
        'secret is read from tls.crt, tls.key and ca.crt',
      `warning ${path.join(d, 'c.pem')} holds a certificate (CN=other) and is not read: a Kubernetes TLS ` +
        'secret is read from tls.crt, tls.key and ca.crt',
    ]);
    expect(findings(d, inChain)[0]!.hint).toBe(
      'move it out of the source directory if it does not belong there, or set KCS_CERT_FILE to the file to use',
    );
  });

  it("a chain certificate in a skipped file is no issuer; nor is one with the issuer's key but not its name", () => {
    // other-name.pem: inter.key's public key (so it verifies the leaf's signature) under another subject (so it
    // did not issue it), signed by root.key (so it is no root, which would be passed over for that alone).
    const d = dir({ ...PAIR, 'd.pem': 'inter.crt' });
    const csr = path.join(d, 'other.csr');
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl('req', '-new', '-key', fixture('inter.key'), '-subj', '/CN=Not The Issuer', '-out', csr);
    const signed = ['-CA', fixture('root.crt'), '-CAkey', fixture('root.key'), '-days', '30'];
    openssl('x509', '-req', '-in', csr, ...signed, '-out', path.join(d, 'other-name.pem'));
    fs.rmSync(csr);
    const inChain = [cert('rsa2048.crt'), cert('inter.crt')];
    expect(findings(d, inChain).map((f) => `${f.severity} ${path.basename(f.file!)}`)).toEqual([
      'warning d.pem',
      'warning other-name.pem',
    ]);
    expect(findings(d, chain).map((f) => `${f.severity} ${path.basename(f.file!)}`)).toEqual([
      'error d.pem',
      'warning other-name.pem',
    ]);
  });

  it('a file of another name: the rename that makes it read', () => {
    const d = dir({
      ...BY_CONTENT,
      'inter.txt': 'inter.crt',
      'certs.txt': cat('other.crt', 'root.crt'),
      'key.txt': 'p256.key',
    });
    const f = findings(d);
    expect(f.map((x) => [x.severity, path.basename(x.file!), x.hint])).toEqual([
      [
        'warning',
        'certs.txt',
        'if it belongs to this certificate, rename it to certs.crt (or .ca-bundle); otherwise move it out of the ' +
          'source directory',
      ],
      ['error', 'inter.txt', 'rename it to inter.crt (or .ca-bundle) so it is read with the certificate'],
      [
        'warning',
        'key.txt',
        'if it belongs to this certificate, rename it to key.key; otherwise move it out of the source directory',
      ],
    ]);
    expect(f[0]!.message).toMatch(
      /certs\.txt holds 2 certificates \(CN=other\) and is not read: its name ends in \.txt/,
    );
    expect(f[2]!.message).toMatch(/key\.txt holds a private key and is not read: its name ends in \.txt/);
  });

  it('a file that holds nothing worth naming: a note', () => {
    const d = dir({ ...PAIR, 'keystore.p12': 'openssl3-default.pfx' });
    const file = path.join(d, 'keystore.p12');
    expect(findings(d)).toEqual([
      {
        code: 'SOURCE_FILE_SKIPPED',
        severity: 'info',
        message: `${file} is not read: a Kubernetes TLS secret is read from tls.crt, tls.key and ca.crt`,
        hint: 'nothing, if it is not meant to be published',
        file,
      },
    ]);
  });
});
