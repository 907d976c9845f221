// Source layouts as CAs, ACME clients and users deliver them (test/fixtures/make-layouts.sh), and the link
// rule for certbot's live/ directory. The files that are not read: skipped.test.ts.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource } from '../../../sidecar/load/index.js';
import { fixture, readFixture, failure } from '../../support/helpers.js';

const fp = (name: string) => new crypto.X509Certificate(readFixture(name)).fingerprint256;
const LEAF = fp('rsa2048.crt');
const INTER = fp('inter.crt');
const ROOT = fp('root.crt');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-layouts-'));

describe('CA bundles by the names CAs give them join the chain', () => {
  it.each([
    ["Sectigo's example_com.ca-bundle beside example_com.crt", 'layout-sectigo', [INTER, ROOT]],
    ['a DER PKCS#7 chain.p7b (Windows export)', 'layout-p7b', [INTER, ROOT]],
    ['a PEM PKCS#7 chain.p7c (openssl crl2pkcs7)', 'layout-p7b-pem', [INTER, ROOT]],
    ['ca-bundle.crt beside the leaf', 'layout-ca-bundle-crt', [INTER, ROOT]],
    ['fullchain.pem with a key of another name', 'layout-fullchain', [INTER]],
    ["certbot's live/<name> whose files link into ../../archive/<name>", 'layout-certbot/live/example.com', [INTER]],
    [
      'the single file example_com.crt, with its key and .ca-bundle beside it',
      'layout-sectigo/example_com.crt',
      [INTER, ROOT],
    ],
    [
      "certbot's live/<name>/fullchain.pem alone, with privkey.pem beside it",
      'layout-certbot/live/example.com/fullchain.pem',
      [INTER],
    ],
    [
      "certbot's live/<name>/cert.pem alone, with chain.pem and privkey.pem beside it",
      'layout-certbot/live/example.com/cert.pem',
      [INTER],
    ],
  ] as const)('%s', (_what, source, chain) => {
    const m = loadSource({ source: fixture(source) });
    expect(m.leaf.fingerprint256).toBe(LEAF);
    expect(m.others.map((c) => c.fingerprint256)).toEqual(chain);
    expect(m.findings).toEqual([]);
  });

  it('reads the certbot layout as letsencrypt, through the links', () => {
    const m = loadSource({ source: fixture('layout-certbot/live/example.com') });
    expect(m.source.kind).toBe('letsencrypt');
    expect(m.source.files.map((f) => path.basename(f))).toEqual(['fullchain.pem', 'privkey.pem']);
  });
});

describe('PKCS#7 bundles', () => {
  const p7 = (...args: string[]) => execFileSync('openssl', ['crl2pkcs7', '-nocrl', ...args], { stdio: 'pipe' });

  it('an ECDSA leaf and its chain in one .p7b, beside the key (node-forge could not make objects of it)', () => {
    const d = tmp();
    fs.writeFileSync(
      path.join(d, 'api.p7b'),
      p7('-certfile', fixture('p256.crt'), '-certfile', fixture('inter.crt'), '-outform', 'DER'),
    );
    fs.copyFileSync(fixture('p256.key'), path.join(d, 'api.key'));
    const m = loadSource({ source: d });
    expect(m.leaf.fingerprint256).toBe(fp('p256.crt'));
    expect(m.others.map((c) => c.fingerprint256)).toEqual([INTER]);
  });

  it('a .p7b with no certificates is reported as not used; a damaged one is FILE_CORRUPT', () => {
    const d = tmp();
    fs.copyFileSync(fixture('rsa2048.crt'), path.join(d, 'server.crt'));
    fs.copyFileSync(fixture('rsa2048.key'), path.join(d, 'server.key'));
    fs.writeFileSync(path.join(d, 'empty.p7b'), p7('-certfile', '/dev/null', '-outform', 'DER'));
    const m = loadSource({ source: d });
    expect(m.findings.map((f) => `${f.severity} ${f.message}`)).toEqual([
      `info ${path.join(d, 'empty.p7b')} is not used: it holds no certificate`,
    ]);
    const der = fs.readFileSync(path.join(d, 'empty.p7b'));
    fs.writeFileSync(path.join(d, 'empty.p7b'), der.subarray(0, der.length - 3));
    expect(failure(() => loadSource({ source: d })).code).toBe('FILE_CORRUPT');
  });
});

describe("links out of the source: only certbot's sibling archive/<name>", () => {
  /** A copy of the certbot fixture whose live/example.com/privkey.pem links to `target`. */
  function certbotWith(target: string, setup: (root: string) => void = () => {}) {
    const root = tmp();
    fs.cpSync(fixture('layout-certbot'), root, { recursive: true, verbatimSymlinks: true });
    setup(root);
    const key = path.join(root, 'live/example.com/privkey.pem');
    fs.rmSync(key);
    fs.symlinkSync(target, key);
    return path.join(root, 'live/example.com');
  }

  it('refuses a link from live/<name> into another lineage of archive/', () => {
    const live = certbotWith('../../archive/other.com/privkey1.pem', (root) => {
      fs.mkdirSync(path.join(root, 'archive/other.com'));
      fs.copyFileSync(fixture('rsa2048.key'), path.join(root, 'archive/other.com/privkey1.pem'));
    });
    const err = failure(() => loadSource({ source: live }));
    expect(err.code).toBe('SOURCE_UNREADABLE');
    expect(err.finding.message).toContain('outside the source directory');
  });

  it('refuses a link out of the whole configuration directory', () => {
    const live = certbotWith(fixture('rsa2048.key'));
    expect(failure(() => loadSource({ source: live })).code).toBe('SOURCE_UNREADABLE');
  });

  it('refuses archive/<name> that is itself a link (to a directory holding the key)', () => {
    const elsewhere = tmp();
    fs.copyFileSync(fixture('rsa2048.key'), path.join(elsewhere, 'privkey1.pem'));
    const live = certbotWith('../../archive/example.com/privkey1.pem', (root) => {
      fs.cpSync(path.join(root, 'archive/example.com'), elsewhere, { recursive: true });
      fs.rmSync(path.join(root, 'archive/example.com'), { recursive: true });
      fs.symlinkSync(elsewhere, path.join(root, 'archive/example.com'));
    });
    expect(failure(() => loadSource({ source: live })).code).toBe('SOURCE_UNREADABLE');
  });

  it('refuses links into archive/ from a directory that is not named live/', () => {
    const root = tmp();
    fs.cpSync(fixture('layout-certbot'), root, { recursive: true, verbatimSymlinks: true });
    fs.renameSync(path.join(root, 'live'), path.join(root, 'current'));
    expect(failure(() => loadSource({ source: path.join(root, 'current/example.com') })).code).toBe(
      'SOURCE_UNREADABLE',
    );
  });

  it('says to mount the whole configuration directory when only live/<name> is mounted', () => {
    const only = tmp();
    fs.cpSync(fixture('layout-certbot/live/example.com'), only, { recursive: true, verbatimSymlinks: true });
    const err = failure(() => loadSource({ source: only }));
    expect(`${err.code} ${err.finding.message}\nfix: ${err.finding.hint}`).toBe(
      `SOURCE_NOT_FOUND cannot read ${path.join(only, 'fullchain.pem')}: it is a symlink to ` +
        `../../archive/example.com/fullchain1.pem, which does not exist here\nfix: mount certbot's whole ` +
        `configuration directory (for example -v /etc/letsencrypt:/etc/letsencrypt:ro) and set KCS_SOURCE to its ` +
        `live/<name>: the files of live/<name> are links into archive/<name>`,
    );
  });
});
