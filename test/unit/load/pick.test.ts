// Which certificate is published (sidecar/load/pick.ts): keys and certificates paired by public key, exactly
// one pair, and the words of each refusal (SOURCE_NOT_FOUND, KEY_MISSING, KEY_MISMATCH, SOURCE_AMBIGUOUS and
// its variants, KCS_CERT_ENTRY's choice). The certificates and keys are test/fixtures, certificates made by
// openssl with unusual subjects, and a keystore of three entries made by keytool (keystores.ts), located
// in the files a source would hold them in.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { raise, type Message } from '../../../sidecar/findings.js';
import type { Discovery, Layout } from '../../../sidecar/load/discover.js';
import { readPfx } from '../../../sidecar/load/pfx-source.js';
import { belongs, cn, type Located, pickLeaf, subjectLine } from '../../../sidecar/load/pick.js';
import { messages } from '../../../sidecar/messages/index.js';
import { PASS, failure, readFixture } from '../../support/helpers.js';
import { keytoolStore, selfSigned, withKeytool } from './keystores.js';

const cert = (name: string) => new crypto.X509Certificate(readFixture(`${name}.crt`));
const key = (name: string) => crypto.createPrivateKey(readFixture(`${name}.key`));
const at = <T>(value: T, file: string): Located<T> => ({ value, file });
const discovery = (layout: Layout): Discovery => ({ layout, pem: [], ca: [], skipped: [], unnamed: [] });
const PEM = discovery('pem');
const expected = (m: Message, file: string) => raise(m, file).finding;
const refusal = (fn: () => unknown) => failure(fn).finding;
/** How an entry is listed in findings, written out here: `"name" (subject, sha256 fingerprint)`. */
const listed = (c: crypto.X509Certificate, name?: string) =>
  `${name === undefined ? '' : `"${name}" `}(${c.subject}, sha256 ${c.fingerprint256})`;

describe('subjectLine and cn', () => {
  it('give the subject on one line and its CN', () => {
    const { cert: c } = selfSigned('/O=Example Org/OU=Web/CN=api.example.test');
    expect(subjectLine(c)).toBe('O=Example Org, OU=Web, CN=api.example.test');
    expect(cn(c)).toBe('api.example.test');
    const { cert: first } = selfSigned('/CN=first/O=Example Org');
    expect(cn(first)).toBe('first');
    expect(subjectLine(cert('rsa2048'))).toBe('CN=rsa2048');
  });

  it('read the CN attribute, not a value that holds the letters CN=', () => {
    const { cert: c } = selfSigned('/O=ACN=evil/CN=good');
    expect(cn(c)).toBe('good');
    const { cert: none } = selfSigned('/O=ACN=evil');
    expect(cn(none)).toBe('O=ACN=evil');
  });

  it('give the whole subject for a certificate without a CN', () => {
    const { cert: c } = selfSigned('/O=No Common Name/C=NL');
    expect(cn(c)).toBe('O=No Common Name, C=NL');
  });

  it('say (empty subject) for a certificate named only in its SAN', () => {
    const { cert: c } = selfSigned('/');
    expect(subjectLine(c)).toBe('(empty subject)');
    expect(cn(c)).toBe('(empty subject)');
  });
});

describe('belongs', () => {
  it('is true for the key of the certificate, false for another key and for a public key', () => {
    expect(belongs(cert('rsa2048'), key('rsa2048'))).toBe(true);
    expect(belongs(cert('rsa2048'), key('other'))).toBe(false);
    expect(belongs(cert('rsa2048'), key('p256'))).toBe(false);
    // checkPrivateKey throws for a key that is not private: that is "does not belong", not a crash.
    expect(belongs(cert('rsa2048'), crypto.createPublicKey(key('rsa2048')))).toBe(false);
  });
});

describe('pickLeaf returns the one pair', () => {
  it('among issuers and other keys, as it was located', () => {
    const certs = [at(cert('inter'), '/src/chain.pem'), at(cert('rsa2048'), '/src/tls.crt')];
    const keys = [at(key('rsa2048'), '/src/tls.key')];
    const pair = pickLeaf(certs, keys, '/src', PEM);
    expect(pair.cert).toBe(certs[1]);
    expect(pair.key).toBe(keys[0]);
  });

  it('once, when the same certificate is read from two files', () => {
    const certs = [at(cert('rsa2048'), '/src/cert.pem'), at(cert('rsa2048'), '/src/fullchain.pem')];
    const pair = pickLeaf(certs, [at(key('rsa2048'), '/src/privkey.pem')], '/src', PEM);
    expect(pair.cert.value.fingerprint256).toBe(cert('rsa2048').fingerprint256);
    expect(pair.key.file).toBe('/src/privkey.pem');
  });
});

describe('pickLeaf refuses a source without a pair', () => {
  it('without certificate or key: SOURCE_NOT_FOUND', () => {
    const f = refusal(() => pickLeaf([], [], '/src', PEM));
    expect(f).toEqual(expected(messages.SOURCE_NOT_FOUND.noCertificate({ where: '/src' }), '/src'));
    expect(f.message).toBe('cannot find a certificate in /src');
  });

  it('with a key and no certificate: SOURCE_NOT_FOUND, naming the first key file', () => {
    const keys = [at(key('rsa2048'), '/src/a.key'), at(key('p256'), '/src/b.key')];
    const f = refusal(() => pickLeaf([], keys, '/src', PEM));
    expect(f).toEqual(expected(messages.SOURCE_NOT_FOUND.noCertificateForKey({ keyFile: '/src/a.key' }), '/src/a.key'));
    expect(f.message).toBe('cannot find a certificate for the key in /src/a.key');
  });

  it('a single certificate file without a key: KEY_MISSING, naming the key files looked for beside it', () => {
    const certs = [at(cert('rsa2048'), '/certs/site.pem'), at(cert('inter'), '/certs/site.pem')];
    const f = refusal(() => pickLeaf(certs, [], '/certs/site.pem', discovery('single-file')));
    expect(f).toEqual(
      expected(
        messages.KEY_MISSING.besideFile({
          subject: 'CN=rsa2048',
          file: '/certs/site.pem',
          names: ['site.key', 'site-key.pem'],
          keyPath: '/certs/site.key',
        }),
        '/certs/site.pem',
      ),
    );
    expect(f.message).toBe(
      'cannot find the private key of CN=rsa2048: /certs/site.pem holds none, and there is no site.key or ' +
        'site-key.pem beside it',
    );
    expect(f.hint).toBe('put the key in /certs/site.key, or set KCS_KEY_FILE to it');
    const certbot = refusal(() =>
      pickLeaf([at(cert('rsa2048'), '/le/fullchain.pem')], [], '/le/fullchain.pem', discovery('single-file')),
    );
    expect(certbot.message).toBe(
      'cannot find the private key of CN=rsa2048: /le/fullchain.pem holds none, and there is no fullchain.key or ' +
        'fullchain-key.pem or privkey.pem beside it',
    );
  });

  it('a directory without a key: KEY_MISSING in the source, naming the first certificate', () => {
    const { cert: multi } = selfSigned('/O=Example Org/CN=api.example.test');
    const certs = [at(multi, '/src/api.crt'), at(cert('rsa2048'), '/src/tls.crt')];
    for (const layout of ['pem', 'kubernetes-tls', 'letsencrypt', 'chosen'] as const) {
      const f = refusal(() => pickLeaf(certs, [], '/src', discovery(layout)));
      expect(f, layout).toEqual(
        expected(
          messages.KEY_MISSING.inSource({ subject: 'O=Example Org, CN=api.example.test', where: '/src' }),
          '/src/api.crt',
        ),
      );
    }
    expect(refusal(() => pickLeaf(certs, [], '/src', PEM)).message).toBe(
      'cannot find the private key of O=Example Org, CN=api.example.test in /src',
    );
  });

  it('with keys of other certificates: KEY_MISMATCH, naming the first key and certificate', () => {
    const certs = [at(cert('rsa2048'), '/src/tls.crt'), at(cert('p256'), '/src/b.crt')];
    const keys = [at(key('other'), '/src/tls.key'), at(key('p384'), '/src/c.key')];
    const f = refusal(() => pickLeaf(certs, keys, '/src', PEM));
    expect(f).toEqual(
      expected(
        messages.KEY_MISMATCH.files({ keyFile: '/src/tls.key', name: 'rsa2048', certFile: '/src/tls.crt' }),
        '/src/tls.key',
      ),
    );
    expect(f.message).toBe('the private key in /src/tls.key does not belong to rsa2048 in /src/tls.crt');
  });
});

describe('pickLeaf refuses several pairs: SOURCE_AMBIGUOUS', () => {
  const severalPairs = (pairs: string[], example: string) =>
    expected(messages.SOURCE_AMBIGUOUS.severalPairs({ where: '/src', pairs, example }), '/src');

  it('in separate files, naming each pair by its CN and file', () => {
    const certs = [at(cert('rsa2048'), '/src/a.crt'), at(cert('p256'), '/src/b.crt')];
    const keys = [at(key('rsa2048'), '/src/a.key'), at(key('p256'), '/src/b.key')];
    const f = refusal(() => pickLeaf(certs, keys, '/src', PEM));
    expect(f).toEqual(severalPairs(['rsa2048 in a.crt', 'p256 in b.crt'], 'a.crt'));
    expect(f.message).toBe(
      'cannot choose a certificate in /src: 2 certificates have their key (rsa2048 in a.crt, p256 in b.crt)',
    );
    expect(f.hint).toBe('set KCS_CERT_FILE and KCS_KEY_FILE to the pair to publish, for example KCS_CERT_FILE=a.crt');
  });

  it('in the order of the keys', () => {
    const certs = [at(cert('rsa2048'), '/src/a.crt'), at(cert('p256'), '/src/b.crt')];
    const keys = [at(key('p256'), '/src/b.key'), at(key('rsa2048'), '/src/a.key')];
    expect(refusal(() => pickLeaf(certs, keys, '/src', PEM))).toEqual(
      severalPairs(['p256 in b.crt', 'rsa2048 in a.crt'], 'b.crt'),
    );
  });

  it('when one pair shares a file and the other does not, or the certificates share one file and the keys not', () => {
    const mixed = refusal(() =>
      pickLeaf(
        [at(cert('rsa2048'), '/src/bundle.pem'), at(cert('p256'), '/src/b.crt')],
        [at(key('rsa2048'), '/src/bundle.pem'), at(key('p256'), '/src/b.key')],
        '/src',
        PEM,
      ),
    );
    expect(mixed).toEqual(severalPairs(['rsa2048 in bundle.pem', 'p256 in b.crt'], 'bundle.pem'));
    const certsTogether = refusal(() =>
      pickLeaf(
        [at(cert('rsa2048'), '/src/certs.pem'), at(cert('p256'), '/src/certs.pem')],
        [at(key('rsa2048'), '/src/a.key'), at(key('p256'), '/src/b.key')],
        '/src',
        PEM,
      ),
    );
    expect(certsTogether).toEqual(severalPairs(['rsa2048 in certs.pem', 'p256 in certs.pem'], 'certs.pem'));
    const eachTogether = refusal(() =>
      pickLeaf(
        [at(cert('rsa2048'), '/src/a.pem'), at(cert('p256'), '/src/b.pem')],
        [at(key('rsa2048'), '/src/a.pem'), at(key('p256'), '/src/b.pem')],
        '/src',
        PEM,
      ),
    );
    expect(eachTogether).toEqual(severalPairs(['rsa2048 in a.pem', 'p256 in b.pem'], 'a.pem'));
  });

  it('in one file of several keys: the entries, and the last one, which Kestrel would load', () => {
    const file = '/src/all.pem';
    const names = ['rsa2048', 'p256', 'p384'];
    const certs = names.map((n) => at(cert(n), file));
    const keys = names.map((n) => at(key(n), file));
    const f = refusal(() => pickLeaf(certs, keys, '/src', PEM));
    const last = cert('p384');
    expect(f).toEqual(
      expected(
        messages.SOURCE_AMBIGUOUS.keystoreEntries({
          file,
          entries: names.map((n) => listed(cert(n))),
          last: listed(last),
          example: last.fingerprint256.replaceAll(':', ''),
        }),
        file,
      ),
    );
    expect(f.message).toBe(
      `cannot choose a certificate in ${file}: it holds 3 entries with their key ` +
        `(${names.map((n) => listed(cert(n))).join(', ')}); ` +
        `Kestrel itself would load the last one, (CN=p384, sha256 ${last.fingerprint256})`,
    );
  });

  it.runIf(withKeytool)('in a keystore of named entries: each by its alias, and the last alias as the example', () => {
    const { certs, keys } = readPfx(keytoolStore('PKCS12', ['alpha', 'beta', 'gamma']), undefined, PASS);
    const file = certs[0]!.file;
    const f = refusal(() => pickLeaf(certs, keys, '/src', PEM));
    const byName = (n: string) => certs.find((c) => c.name === n)!.value;
    const order = keys.map((k) => certs.find((c) => belongs(c.value, k.value))!.name!);
    expect([...order].sort()).toEqual(['alpha', 'beta', 'gamma']);
    const lastName = order.at(-1)!;
    expect(f).toEqual(
      expected(
        messages.SOURCE_AMBIGUOUS.keystoreEntries({
          file,
          entries: order.map((n) => listed(byName(n), n)),
          last: listed(byName(lastName), lastName),
          example: lastName,
        }),
        file,
      ),
    );
    expect(f.message).toContain(`"${lastName}" (CN=${lastName}, sha256 ${byName(lastName).fingerprint256})`);
  });
});

describe.runIf(withKeytool)('pickLeaf with KCS_CERT_ENTRY', () => {
  const store = () => readPfx(keytoolStore('PKCS12', ['alpha', 'beta', 'gamma']), undefined, PASS);

  it('chooses an entry by its alias, in any case', () => {
    const { certs, keys } = store();
    for (const entry of ['beta', 'BETA', 'Beta']) {
      const pair = pickLeaf(certs, keys, '/src', PEM, entry);
      expect(pair.cert.name, entry).toBe('beta');
      expect(belongs(pair.cert.value, pair.key.value)).toBe(true);
    }
  });

  it('chooses an entry by its SHA-256 thumbprint, with or without colons, spaces, in any case', () => {
    const { certs, keys } = store();
    const gamma = certs.find((c) => c.name === 'gamma')!.value.fingerprint256;
    const plain = gamma.replaceAll(':', '');
    for (const entry of [gamma, gamma.toLowerCase(), plain, plain.toLowerCase(), gamma.replaceAll(':', ' ')]) {
      expect(pickLeaf(certs, keys, '/src', PEM, entry).cert.name, entry).toBe('gamma');
    }
  });

  it('chooses a pair without an alias by its thumbprint', () => {
    const certs = [at(cert('rsa2048'), '/src/a.pem'), at(cert('p256'), '/src/b.pem')];
    const keys = [at(key('rsa2048'), '/src/a.pem'), at(key('p256'), '/src/b.pem')];
    const entry = cert('p256').fingerprint256.replaceAll(':', '').toLowerCase();
    expect(pickLeaf(certs, keys, '/src', PEM, entry).cert).toBe(certs[1]);
  });

  it('refuses an entry that names none, listing the entries with their key', () => {
    const { certs, keys } = store();
    const f = refusal(() => pickLeaf(certs, keys, '/src/ks.p12', PEM, 'delta'));
    const order = keys.map((k) => certs.find((c) => belongs(c.value, k.value))!);
    expect(f).toEqual(
      expected(
        messages.SOURCE_NOT_FOUND.noEntry({
          entry: 'delta',
          where: '/src/ks.p12',
          entries: order.map((c) => listed(c.value, c.name)),
        }),
        '/src/ks.p12',
      ),
    );
    expect(f.message).toMatch(/^cannot find the entry KCS_CERT_ENTRY=delta in \/src\/ks\.p12: the certificates with/);
  });

  it('refuses an entry that is not the one pair, and a thumbprint of a certificate without its key', () => {
    const certs = [at(cert('rsa2048'), '/src/tls.crt'), at(cert('inter'), '/src/tls.crt')];
    const keys = [at(key('rsa2048'), '/src/tls.key')];
    const entry = cert('inter').fingerprint256;
    expect(refusal(() => pickLeaf(certs, keys, '/src', PEM, entry))).toEqual(
      expected(messages.SOURCE_NOT_FOUND.noEntry({ entry, where: '/src', entries: [listed(cert('rsa2048'))] }), '/src'),
    );
    expect(refusal(() => pickLeaf(certs, keys, '/src', PEM, 'anything')).code).toBe('SOURCE_NOT_FOUND');
  });
});
