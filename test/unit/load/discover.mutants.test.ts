// sidecar/load/discover.ts, the whole Discovery it returns for each way a source is given: a directory by
// content, a Kubernetes secret, certbot's directory, a single file with its key and bundle beside it, and
// KCS_CERT_FILE / KCS_KEY_FILE / KCS_APP_NAME. Written to kill its mutants (docs/testing.md, "Mutation score"):
// each test builds the directory in a temp dir and compares every field.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discover, isEmptySourceDir, isPfxName, keyNamesBeside } from '../../../sidecar/load/discover.js';
import { failure } from '../../support/helpers.js';

/** A real directory holding these (empty) files; a name ending in / is a directory. */
function tree(...names: string[]): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-discover-')));
  for (const n of names) {
    if (n.endsWith('/')) fs.mkdirSync(path.join(d, n), { recursive: true });
    else fs.writeFileSync(path.join(d, n), 'x');
  }
  return d;
}
const inDir =
  (d: string) =>
  (...names: string[]) =>
    names.map((n) => path.join(d, n));

describe('names', () => {
  it('keyNamesBeside: <stem>.key and <stem>-key.pem, and privkey.pem beside certbot certificates', () => {
    expect(keyNamesBeside('/c/server.crt')).toEqual(['server.key', 'server-key.pem']);
    expect(keyNamesBeside('/c/fullchain.pem')).toEqual(['fullchain.key', 'fullchain-key.pem', 'privkey.pem']);
    expect(keyNamesBeside('/c/cert.pem')).toEqual(['cert.key', 'cert-key.pem', 'privkey.pem']);
    expect(keyNamesBeside('/c/chain.pem')).toEqual(['chain.key', 'chain-key.pem']);
  });

  it('isPfxName: .pfx and .p12 in any case', () => {
    expect(['a.pfx', 'a.P12', 'A.PFX', 'a.p12'].map(isPfxName)).toEqual([true, true, true, true]);
    expect(['a.pem', 'pfx', 'a.pfx.bak'].map(isPfxName)).toEqual([false, false, false]);
  });
});

describe('a directory matched by content', () => {
  it('lists its candidates in name order, skipping dot names, and the other names as unnamed', () => {
    const d = tree('b.CRT', 'a.key', '.a.crt', '..data/', 'notes.txt', 'chain', 'c.jks', 'd.p7b', 'e.ca-bundle');
    const at = inDir(d);
    expect(discover({ source: d })).toEqual({
      layout: 'pem',
      pem: at('a.key', 'b.CRT', 'c.jks', 'd.p7b', 'e.ca-bundle'),
      ca: [],
      skipped: [],
      root: d,
      roots: [d],
      unnamed: at('chain', 'notes.txt'),
    });
  });

  it('a PFX, with the PEM files beside it', () => {
    const d = tree('api.pfx', 'chain.crt', 'README');
    expect(discover({ source: d })).toEqual({
      layout: 'pfx',
      pfx: path.join(d, 'api.pfx'),
      pem: [path.join(d, 'chain.crt')],
      ca: [],
      skipped: [],
      root: d,
      roots: [d],
      unnamed: [path.join(d, 'README')],
    });
  });

  it('several PFX files: the one KCS_APP_NAME names (in any case), the others skipped with why', () => {
    const d = tree('MyApi.pfx', 'MyWeb.p12', 'chain.crt');
    const at = inDir(d);
    const why = 'KCS_APP_NAME=myweb chose MyWeb.p12';
    expect(discover({ source: d, appName: 'myweb' })).toEqual({
      layout: 'pfx',
      pfx: path.join(d, 'MyWeb.p12'),
      pem: [],
      ca: [],
      skipped: [
        { file: at('MyApi.pfx')[0], why },
        { file: at('chain.crt')[0], why },
      ],
      root: d,
      roots: [d],
      unnamed: [],
    });
  });

  it('several PFX files and no KCS_APP_NAME, or one that names none of them: SOURCE_AMBIGUOUS', () => {
    const d = tree('MyApi.pfx', 'MyWeb.pfx');
    const finding = {
      code: 'SOURCE_AMBIGUOUS',
      severity: 'error',
      message: `cannot choose a certificate in ${d}: it holds 2 PFX files (MyApi.pfx, MyWeb.pfx)`,
      hint: 'set KCS_CERT_FILE to the one to publish, for example KCS_CERT_FILE=MyApi.pfx',
      file: d,
    };
    expect(failure(() => discover({ source: d })).finding).toEqual(finding);
    expect(failure(() => discover({ source: d, appName: 'MyApp' })).finding).toEqual(finding);
  });

  it('no candidate at all: SOURCE_NOT_FOUND', () => {
    const d = tree('README.md', '.hidden.crt');
    expect(failure(() => discover({ source: d })).finding).toEqual({
      code: 'SOURCE_NOT_FOUND',
      severity: 'error',
      message:
        `cannot find a certificate in ${d}: it holds no .pfx, .p12, .pem, .crt, .cer, .der, .key, .ca-bundle or ` +
        '.p7b file',
      hint: 'mount the certificate into the source directory, or unset KCS_SOURCE to generate one',
      file: d,
    });
  });

  it('a source that does not exist: SOURCE_NOT_FOUND, naming it', () => {
    const source = path.join(tree(), 'nope');
    expect(failure(() => discover({ source })).message).toBe(
      `SOURCE_NOT_FOUND cannot open the source ${source}: it does not exist`,
    );
  });
});

describe('known layouts', () => {
  it('a Kubernetes TLS secret: tls.crt, tls.key, ca.crt as the anchors, every other candidate skipped', () => {
    const d = tree('tls.crt', 'tls.key', 'ca.crt', 'keystore.p12', 'extra.pem', 'README');
    const why = 'a Kubernetes TLS secret is read from tls.crt, tls.key and ca.crt';
    expect(discover({ source: d })).toEqual({
      layout: 'kubernetes-tls',
      pem: inDir(d)('tls.crt', 'tls.key'),
      ca: [path.join(d, 'ca.crt')],
      skipped: [
        { file: path.join(d, 'keystore.p12'), why },
        { file: path.join(d, 'extra.pem'), why },
      ],
      root: d,
      roots: [d],
      unnamed: [],
    });
  });

  it('a Kubernetes secret is known by tls.key alone or a dangling tls.crt link, with no ca without ca.crt', () => {
    const d = tree('tls.key');
    expect(discover({ source: d })).toMatchObject({ layout: 'kubernetes-tls', pem: [path.join(d, 'tls.key')], ca: [] });
    const e = tree();
    fs.symlinkSync('..data/tls.crt', path.join(e, 'tls.crt'));
    expect(discover({ source: e })).toMatchObject({ layout: 'kubernetes-tls', pem: [path.join(e, 'tls.crt')] });
  });

  it("certbot's directory: fullchain.pem and privkey.pem; cert.pem and chain.pem are not reported", () => {
    const d = tree('cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem', 'old.crt', 'README');
    expect(discover({ source: d })).toEqual({
      layout: 'letsencrypt',
      pem: inDir(d)('fullchain.pem', 'privkey.pem'),
      ca: [],
      skipped: [
        { file: path.join(d, 'old.crt'), why: "certbot's directory is read from fullchain.pem and privkey.pem" },
      ],
      root: d,
      roots: [d],
      unnamed: [],
    });
  });

  it('fullchain.pem without privkey.pem is matched by content', () => {
    const d = tree('fullchain.pem', 'server.key');
    expect(discover({ source: d }).layout).toBe('pem');
  });
});

describe('a single file', () => {
  it('a PEM certificate: the first key name found beside it, and the first bundle', () => {
    const d = tree('server.crt', 'server.key', 'server-key.pem', 'server.ca-bundle', 'server.p7b', 'other.key');
    expect(discover({ source: path.join(d, 'server.crt') })).toEqual({
      layout: 'single-file',
      pem: inDir(d)('server.crt', 'server.key', 'server.ca-bundle'),
      ca: [],
      skipped: [],
      unnamed: [],
    });
  });

  it("mkcert's <name>-key.pem, a .p7b chain, certbot's cert.pem with privkey.pem and chain.pem", () => {
    const d = tree('api.pem', 'api-key.pem', 'api.p7b', 'cert.pem', 'privkey.pem', 'chain.pem');
    expect(discover({ source: path.join(d, 'api.pem') }).pem).toEqual(inDir(d)('api.pem', 'api-key.pem', 'api.p7b'));
    expect(discover({ source: path.join(d, 'cert.pem') }).pem).toEqual(
      inDir(d)('cert.pem', 'privkey.pem', 'chain.pem'),
    );
  });

  it('nothing beside it: the file alone; a file named like its own key is not read twice', () => {
    const d = tree('api.crt', 'both.key');
    expect(discover({ source: path.join(d, 'api.crt') }).pem).toEqual([path.join(d, 'api.crt')]);
    expect(discover({ source: path.join(d, 'both.key') }).pem).toEqual([path.join(d, 'both.key')]);
  });

  it('KCS_KEY_FILE instead of the names beside it, relative to the file', () => {
    const d = tree('api.crt', 'api.key', 'keys/', 'keys/the.key');
    expect(discover({ source: path.join(d, 'api.crt'), keyFile: 'keys/the.key' }).pem).toEqual(
      inDir(d)('api.crt', 'keys/the.key'),
    );
  });

  it('a PFX: with KCS_KEY_FILE only when given', () => {
    const d = tree('api.pfx', 'api.key');
    expect(discover({ source: path.join(d, 'api.pfx') })).toEqual({
      layout: 'single-file',
      pfx: path.join(d, 'api.pfx'),
      pem: [],
      ca: [],
      skipped: [],
      unnamed: [],
    });
    expect(discover({ source: path.join(d, 'api.pfx'), keyFile: 'api.key' }).pem).toEqual([path.join(d, 'api.key')]);
  });
});

describe('the names that decide a layout or a file beside one', () => {
  it('chain.pem is the chain only beside cert.pem', () => {
    const d = tree('api.pem', 'chain.pem');
    expect(discover({ source: path.join(d, 'api.pem') }).pem).toEqual([path.join(d, 'api.pem')]);
  });

  it('privkey.pem without fullchain.pem is no certbot directory', () => {
    const d = tree('privkey.pem', 'server.crt');
    expect(discover({ source: d })).toMatchObject({ layout: 'pem', pem: inDir(d)('privkey.pem', 'server.crt') });
  });

  it('a Discovery without a PFX has no pfx field at all', () => {
    const d = tree('api.crt');
    expect(discover({ source: path.join(d, 'api.crt') })).toStrictEqual({
      layout: 'single-file',
      pem: [path.join(d, 'api.crt')],
      ca: [],
      skipped: [],
      unnamed: [],
    });
  });
});

describe('KCS_CERT_FILE and KCS_KEY_FILE', () => {
  it('a certificate in the source directory, its key looked for among the key files there', () => {
    const d = tree('tls.crt', 'tls.key', 'other.pem', 'api.pfx', 'README');
    expect(discover({ source: d, certFile: 'tls.crt' })).toEqual({
      layout: 'chosen',
      pem: inDir(d)('tls.crt', 'other.pem', 'tls.key'),
      ca: [],
      skipped: [],
      root: d,
      roots: [d],
      unnamed: [],
    });
  });

  it('both named: those two files only; an absolute name as it is', () => {
    const d = tree('tls.crt', 'tls.key', 'other.pem');
    const elsewhere = tree('k.key');
    const key = path.join(elsewhere, 'k.key');
    expect(discover({ source: d, certFile: 'tls.crt', keyFile: key }).pem).toEqual([path.join(d, 'tls.crt'), key]);
  });

  it('a PFX named: nothing added', () => {
    const d = tree('a.pfx', 'b.pfx', 'tls.key');
    expect(discover({ source: d, certFile: 'b.pfx' })).toMatchObject({ pfx: path.join(d, 'b.pfx'), pem: [] });
  });

  it('with a file as the source: relative to its directory, and no directory listed', () => {
    const d = tree('api.crt', 'alt.crt', 'api.key');
    expect(discover({ source: path.join(d, 'api.crt'), certFile: 'alt.crt' })).toEqual({
      layout: 'chosen',
      pem: [path.join(d, 'alt.crt')],
      ca: [],
      skipped: [],
      unnamed: [],
    });
  });
});

describe('isEmptySourceDir', () => {
  it('is true for a directory with no candidate, false otherwise', () => {
    expect(isEmptySourceDir(tree())).toBe(true);
    expect(isEmptySourceDir(tree('README', '.tls.crt'))).toBe(true);
    expect(isEmptySourceDir(tree('tls.crt'))).toBe(false);
    expect(isEmptySourceDir(tree('api.pfx'))).toBe(false);
    const d = tree('tls.crt');
    expect(isEmptySourceDir(path.join(d, 'tls.crt'))).toBe(false);
    expect(isEmptySourceDir(path.join(d, 'nope'))).toBe(false);
  });
});
