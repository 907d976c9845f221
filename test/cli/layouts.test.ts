// `check` and `init` on the source layouts as CAs, ACME clients and users deliver them
// (test/fixtures/make-layouts.sh). What init publishes is read back with openssl: the chain in tls.crt
// verifies up to the root, and tls.key is what Kestrel can read.
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASS, fixture, readFixture } from '../support/helpers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-layouts-'));
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const fp = (name: string) => new crypto.X509Certificate(readFixture(name)).fingerprint256;
/** The certificates of a PEM file, by SHA-256, in order. */
const chainOf = (file: string) =>
  (fs.readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new crypto.X509Certificate(pem).fingerprint256,
  );
/** openssl's own verdict on the published chain, trusting only the fixture root. */
const opensslVerify = (out: string) =>
  spawnSync(
    'openssl',
    ['verify', '-CAfile', fixture('root.crt'), '-untrusted', path.join(out, 'tls.crt'), path.join(out, 'tls.crt')],
    { encoding: 'utf8' },
  );
/** The finding lines of the text output: `CODE ...` or `warning: CODE ...`. CHAIN_BROKEN's warning that a
 *  chain stops below its root (validate's, for a source without the root) is left out where it is filtered. */
const codes = (text: string) =>
  [...text.matchAll(/^\s*((?:warning: |info: )?[A-Z][A-Z_]{5,}) /gm)].map((m) => m[1]!.trim());

const LEAF = fp('rsa2048.crt');
const INTER = fp('inter.crt');

describe('check and init on each layout a user is handed', () => {
  it.each([
    ["Sectigo's example_com.crt + example_com.ca-bundle", 'layout-sectigo'],
    ['the single file example_com.crt, with the key and .ca-bundle beside it', 'layout-sectigo/example_com.crt'],
    ["certbot's live/example.com, relative links into ../../archive/example.com", 'layout-certbot/live/example.com'],
    ['a DER chain.p7b beside the leaf', 'layout-p7b'],
    ['a PEM chain.p7c beside the leaf', 'layout-p7b-pem'],
    ['ca-bundle.crt beside the leaf', 'layout-ca-bundle-crt'],
    ['fullchain.pem with server.key', 'layout-fullchain'],
  ])('%s: check says valid and init publishes leaf + intermediate, which openssl verifies', (_what, source) => {
    const check = run(['check', '--source', fixture(source)]);
    expect(check.code, check.out).toBe(0);
    expect(codes(check.out).filter((c) => !/CHAIN_BROKEN/.test(c))).toEqual([]);
    const out = path.join(tmp(), 'out');
    const init = run(['init', '--source', fixture(source), '--output', out]);
    expect(init.code, init.out).toBe(0);
    expect(chainOf(path.join(out, 'tls.crt'))).toEqual([LEAF, INTER]);
    const v = opensslVerify(out);
    expect(`${v.stdout}${v.stderr}`.trim()).toBe(`${path.join(out, 'tls.crt')}: OK`);
  });

  it('an intermediate saved as intermediate.txt: check says why it is invalid, init publishes nothing', () => {
    const source = fixture('layout-skipped-issuer');
    const check = run(['check', '--source', source]);
    expect(check.code).toBe(4);
    expect(check.out).toContain(
      `SOURCE_FILE_SKIPPED ${path.join(source, 'intermediate.txt')} holds CN=Fixture Intermediate CA, the issuer of ` +
        `CN=rsa2048, but is not read (its name ends in .txt, which is not read as a certificate, key or bundle): ` +
        `without it the published chain would stop short\n  fix: rename it to intermediate.crt (or .ca-bundle) so ` +
        `it is read with the certificate`,
    );
    const out = path.join(tmp(), 'out');
    expect(run(['init', '--source', source, '--output', out]).code).toBe(4);
    expect(fs.existsSync(path.join(out, 'tls.crt'))).toBe(false);
  });

  it('an unrelated certificate in notes.txt: a warning, and the set is published', () => {
    const check = run(['check', '--source', fixture('layout-skipped-other')]);
    expect(check.code).toBe(0);
    expect(codes(check.out).filter((c) => !/CHAIN_BROKEN/.test(c))).toEqual(['warning: SOURCE_FILE_SKIPPED']);
  });

  it('certbot with only live/<name> mounted: exit 3, and how to mount it', () => {
    const only = tmp();
    fs.cpSync(fixture('layout-certbot/live/example.com'), only, { recursive: true, verbatimSymlinks: true });
    const r = run(['check', '--source', only]);
    expect(r.code).toBe(3);
    expect(r.out).toContain(
      "fix: mount certbot's whole configuration directory (for example -v /etc/letsencrypt:/etc/letsencrypt:ro) and " +
        'set KCS_SOURCE to its live/<name>',
    );
  });
});

describe('key files .NET does not read as they are: init publishes ones it does', () => {
  const keyText = (out: string) =>
    execFileSync('openssl', ['pkey', '-in', path.join(out, 'tls.key'), '-noout', '-text'], { encoding: 'utf8' });

  it('an EC key with explicit parameters: published with the named curve', () => {
    const source = fixture('key-explicit-ec');
    const check = run(['check', '--source', source]);
    expect(check.code).toBe(0);
    expect(codes(check.out)).toContain('info: KEY_REENCODED');
    const out = path.join(tmp(), 'out');
    expect(run(['init', '--source', source, '--output', out]).code).toBe(0);
    expect(keyText(out)).toContain('ASN1 OID: prime256v1');
    expect(fs.readFileSync(path.join(out, 'tls.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('a key under traditional Proc-Type encryption: published as unencrypted PKCS#8', () => {
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--source', fixture('key-traditional'), '--output', out], { KCS_PASSWORD: PASS });
    expect(r.code, r.out).toBe(0);
    const key = fs.readFileSync(path.join(out, 'tls.key'), 'utf8');
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(key).not.toContain('Proc-Type');
    expect(keyText(out)).toContain('Private-Key: (2048 bit');
  });

  it('a bundle that starts with the root: tls.crt is published leaf first', () => {
    const out = path.join(tmp(), 'out');
    const check = run(['check', '--source', fixture('pem-reversed')]);
    expect(codes(check.out)).toContain('info: LEAF_NOT_FIRST');
    expect(run(['init', '--source', fixture('pem-reversed'), '--output', out]).code).toBe(0);
    expect(chainOf(path.join(out, 'tls.crt'))[0]).toBe(LEAF);
  });
});
