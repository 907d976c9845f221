import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Material } from '../../../sidecar/material.js';
import { validate } from '../../../sidecar/validate/validate.js';
import { publicRootsNamed } from '../../../sidecar/publish/trust.js';
import tls from 'node:tls';
import { readFixture } from '../../support/helpers.js';

const cert = (name: string) => new crypto.X509Certificate(readFixture(name));
const key = (name: string) => crypto.createPrivateKey(readFixture(name));
const HOUR = 3600e3;
const DAY = 24 * HOUR;

function material(leaf: string, keyFile = leaf, others: string[] = ['inter.crt', 'root.crt']): Material {
  return {
    leaf: cert(`${leaf}.crt`),
    key: key(`${keyFile}.key`),
    others: others.map(cert),
    anchors: [],
    source: { kind: 'pem', files: [`${leaf}.crt`], details: {} },
    findings: [],
  };
}
const codes = async (m: Material, opts: Partial<Parameters<typeof validate>[1]> = {}) =>
  (await validate(m, { hostnames: [], now: new Date(), minValidityMs: HOUR, ...opts })).findings.map(
    (f) => `${f.severity}:${f.code}`,
  );

describe('validate finds every problem with its code', () => {
  const rsa = material('rsa2048');
  const leafOnly = material('rsa2048', 'rsa2048', []); // the fixture chain expires with the leaf
  const expiry = rsa.leaf.validToDate.getTime();

  it.each([
    ['a good chain', rsa, {}, []],
    ['an expired certificate', material('expired'), {}, ['error:CERT_EXPIRED']],
    ['a certificate not yet valid', material('notyet'), {}, ['error:CERT_NOT_YET_VALID']],
    [
      'a certificate expiring in 20 days',
      leafOnly,
      { now: new Date(expiry - 20 * DAY) },
      ['warning:CERT_EXPIRES_SOON', 'warning:CHAIN_BROKEN'],
    ],
    [
      'a certificate expiring sooner than KCS_MIN_VALIDITY',
      leafOnly,
      { now: new Date(expiry - 30 * 60e3) },
      ['error:CERT_EXPIRES_SOON', 'warning:CHAIN_BROKEN'],
    ],
    [
      'a certificate expiring in 2 days with KCS_MIN_VALIDITY=7d',
      leafOnly,
      { now: new Date(expiry - 2 * DAY), minValidityMs: 7 * DAY },
      ['error:CERT_EXPIRES_SOON', 'warning:CHAIN_BROKEN'],
    ],
    // Kestrel's rule (it stops at start), then OpenSSL's verdict (unsuitable certificate purpose).
    ['a client-only certificate', material('clientonly'), {}, ['error:NOT_SERVER_AUTH', 'error:NOT_SERVER_AUTH']],
    ['an RSA 1024 key', material('rsa1024'), {}, ['error:KEY_TOO_WEAK']],
    ['a key of another certificate', material('rsa2048', 'other'), {}, ['error:KEY_MISMATCH']],
    [
      'an unrelated certificate in the bundle (dropped, as Kestrel drops it)',
      material('rsa2048', 'rsa2048', ['inter.crt', 'other.crt', 'root.crt']),
      {},
      ['info:CERT_DROPPED'],
    ],
    [
      'a chain given root first',
      material('rsa2048', 'rsa2048', ['root.crt', 'inter.crt']),
      {},
      ['info:CHAIN_REORDERED'],
    ],
    ['a name the certificate lacks', rsa, { hostnames: ['web'] }, ['error:HOSTNAME_NOT_COVERED']],
    ['an IPv4 address it lacks', rsa, { hostnames: ['10.0.0.5'] }, ['error:HOSTNAME_NOT_COVERED']],
    [
      'names, a wildcard match and IPs it has',
      rsa,
      { hostnames: ['localhost', 'api', 'svc.example.test', '*.example.test', '127.0.0.1', '::1', '[::1]'] },
      [],
    ],
    ['a name two labels under the wildcard', rsa, { hostnames: ['a.b.example.test'] }, ['error:HOSTNAME_NOT_COVERED']],
  ] as const)('%s', async (_what, m, opts, expected) => {
    expect(await codes(m, opts as never)).toEqual(expected);
  });

  it('orders the chain leaf first and keeps the self-signed root out of it, as ca.crt', async () => {
    const v = await validate(material('rsa2048', 'rsa2048', ['root.crt', 'inter.crt']), {
      hostnames: [],
      now: new Date(),
      minValidityMs: HOUR,
    });
    expect(v.chain.map((c) => c.subject)).toEqual(['CN=rsa2048', 'CN=Fixture Intermediate CA']);
    expect(v.anchors.map((c) => c.subject)).toEqual(['CN=Fixture Root CA']);
  });

  it('uses the top of an incomplete chain as the anchor, and warns', async () => {
    const v = await validate(material('rsa2048', 'rsa2048', ['inter.crt']), {
      hostnames: [],
      now: new Date(),
      minValidityMs: HOUR,
      publicRoots: () => [],
    });
    expect(v.anchors.map((c) => c.subject)).toEqual(['CN=Fixture Intermediate CA']);
    expect(v.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['warning:CHAIN_BROKEN']);
  });

  it("completes a chain that stops below a public root, as a Let's Encrypt fullchain.pem does", async () => {
    const v = await validate(material('rsa2048', 'rsa2048', ['inter.crt']), {
      hostnames: [],
      now: new Date(),
      minValidityMs: HOUR,
      publicRoots: () => [cert('mkcert-rootCA.pem'), cert('root.crt')],
    });
    expect(v.anchors.map((c) => c.subject)).toEqual(['CN=Fixture Root CA']);
    expect(v.findings).toEqual([]);
  });

  it("looks a chain's issuer up among Node's public roots by subject, and parses only those", () => {
    const root = new crypto.X509Certificate(tls.rootCertificates[0]!);
    const found = publicRootsNamed(root.subject);
    expect(found.map((c) => c.fingerprint256)).toContain(root.fingerprint256);
    expect(found.every((c) => c.subject === root.subject)).toBe(true);
    expect(publicRootsNamed('CN=Fixture Root CA')).toEqual([]);
  });

  it("refuses when ca.crt did not issue the chain, with OpenSSL's words", async () => {
    const m = { ...material('rsa2048', 'rsa2048', ['inter.crt']), anchors: [cert('mkcert-rootCA.pem')] };
    const v = await validate(m, { hostnames: [], now: new Date(), minValidityMs: HOUR });
    expect(v.findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['error:CHAIN_BROKEN']);
    expect(v.findings[0]!.message).toMatch(
      /^OpenSSL's verifier refuses the chain of rsa2048 \("unable to get local issuer/,
    );
  });

  it('says what is missing and how to fix it', async () => {
    const [f] = (await validate(rsa, { hostnames: ['web', '10.0.0.5'], now: new Date(), minValidityMs: HOUR }))
      .findings;
    expect(f!.message).toBe(
      'the certificate rsa2048 does not cover web, 10.0.0.5 (its names: DNS:localhost, ' +
        'DNS:api, DNS:*.example.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1)',
    );
    expect(f!.hint).toBe('issue it with subjectAltName entries for web, 10.0.0.5, or remove them from KCS_HOSTNAMES');
  });

  it('checks validity against the clock it is given, not the machine clock', async () => {
    expect(await codes(material('expired', 'expired', []), { now: new Date('2020-01-15T00:00:00Z') })).toEqual([
      'warning:CERT_EXPIRES_SOON',
      'warning:CHAIN_BROKEN',
    ]);
  });
});
