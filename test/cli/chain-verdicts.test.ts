// Chain verdicts come from OpenSSL's verifier (sidecar/validate/verifier.ts), and Kestrel's own rules
// from its source (kestrel.ts). Each chain is made by openssl commands at test time (the conformance
// matrix's CHAIN_SHELL), `check` is run on it as a Kubernetes TLS secret, and where OpenSSL decides,
// `openssl verify` (the ssl_server purpose, security level 2, trusting ca.crt) must agree with it.
// What Kestrel and the other clients do with each is in the conformance matrix (docs/compatibility.md).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAIN_SHELL } from '../conformance/producers.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const LEAF = (issuer: string, ext = '$LEAF') => `req tls /CN=localhost; sign tls ${issuer} "${ext}"`;

function make(script: string): string {
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-verdict-'));
  execFileSync('bash', ['-c', `${CHAIN_SHELL}\n${script}`], { cwd: src, stdio: 'pipe' });
  for (const f of fs.readdirSync(src)) if (!['tls.crt', 'tls.key', 'ca.crt'].includes(f)) fs.rmSync(path.join(src, f));
  return src;
}
const check = (src: string) => {
  const r = spawnSync(process.execPath, [BIN, 'check', '--source', src, '--hostnames', 'localhost'], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir() },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
};
/** OpenSSL's own command: does it accept tls.crt's chain for a TLS server, trusting ca.crt? */
const opensslAccepts = (src: string) =>
  spawnSync('openssl', [
    'verify',
    '-purpose',
    'sslserver',
    '-auth_level',
    '2',
    '-CAfile',
    path.join(src, 'ca.crt'),
    '-untrusted',
    path.join(src, 'tls.crt'),
    path.join(src, 'tls.crt'),
  ]).status === 0;

describe("OpenSSL's verifier decides the chain, and check says what it decided", () => {
  it.each([
    [
      'an intermediate with CA:FALSE',
      [
        `root ca /CN=R; req i /CN=I; sign i ca "basicConstraints=critical,CA:FALSE\\n"; ${LEAF('i')}`,
        `cat i.crt >> tls.crt`,
      ].join('; '),
      'ISSUER_NOT_ALLOWED',
      'I issues a certificate but is not a CA',
    ],
    [
      'a version-1 intermediate',
      [
        `root ca /CN=R; req i /CN=I`,
        `openssl x509 -req -in i.csr -CA ca.crt -CAkey ca.key -days 40 -out i.crt 2>/dev/null; ${LEAF('i')}`,
        `cat i.crt >> tls.crt`,
      ].join('; '),
      'ISSUER_NOT_ALLOWED',
      'I issues a certificate but is not a CA',
    ],
    [
      'a root with pathlen:0 above an intermediate',
      [
        `root ca /CN=R basicConstraints=critical,CA:TRUE,pathlen:0; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}`,
        `cat i.crt >> tls.crt`,
      ].join('; '),
      'ISSUER_NOT_ALLOWED',
      '"path length constraint exceeded"',
    ],
    [
      'a name outside the nameConstraints of its issuer',
      [
        `root ca /CN=R; req i /CN=I; sign i ca "$CA""nameConstraints=critical,permitted;DNS:.example.com\\n"`,
        `${LEAF('i')}; cat i.crt >> tls.crt`,
      ].join('; '),
      'ISSUER_NOT_ALLOWED',
      '"permitted subtree violation"',
    ],
    [
      'a root with an RSA 1024 key',
      `KEY=rsa:1024 root ca /CN=R; ${LEAF('ca')}`,
      'KEY_TOO_WEAK',
      'the key of R is RSA 1024',
    ],
    [
      'a Netscape cert type of client only',
      `root ca /CN=R; ${LEAF('ca', '$LEAF""nsCertType=client\\n')}`,
      'NOT_SERVER_AUTH',
      'Netscape cert type without the SSL server bit',
    ],
    [
      'a root whose extendedKeyUsage is codeSigning',
      `root ca /CN=R basicConstraints=critical,CA:TRUE "-addext extendedKeyUsage=codeSigning"; ${LEAF('ca')}`,
      'NOT_SERVER_AUTH',
      'the extended key usage of its issuer R (1.3.6.1.5.5.7.3.3) lacks serverAuth',
    ],
    [
      'an intermediate signed with SHA-1',
      `root ca /CN=R; req i /CN=I; sign i ca "$CA" -sha1; ${LEAF('i')}; cat i.crt >> tls.crt`,
      'WEAK_SIGNATURE',
      'I is signed with SHA-1 with RSA',
    ],
    [
      'a missing intermediate',
      `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}`,
      'CHAIN_BROKEN',
      '"unable to verify the first certificate"',
    ],
    [
      'an intermediate as ca.crt',
      `root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${LEAF('ca')}; cat ca.crt >> tls.crt`,
      'CHAIN_BROKEN',
      'ca.crt holds I, which is not a root (not self-signed)',
    ],
  ])('refuses %s', (_what, script, code, says) => {
    const src = make(script);
    const r = check(src);
    expect(r.code, r.out).toBe(4);
    expect(r.out).toMatch(new RegExp(`^  ${code} .*${says.replace(/[.()"]/g, '\\$&')}`, 'm'));
    expect(opensslAccepts(src)).toBe(false);
  });

  it.each([
    [
      'an RSA leaf with key usage keyEncipherment only',
      `root ca /CN=R; ${LEAF('ca', '$LEAF""keyUsage=critical,keyEncipherment\\n')}`,
      '',
    ],
    [
      'an RSA leaf with key usage keyAgreement only',
      `root ca /CN=R; ${LEAF('ca', '$LEAF""keyUsage=critical,keyAgreement\\n')}`,
      '',
    ],
    [
      'a stranger CA in the bundle, which is dropped',
      `root ca /CN=R; root s /CN=Stranger; ${LEAF('ca')}; cat s.crt >> tls.crt`,
      'info: CERT_DROPPED the certificate Stranger came with localhost',
    ],
    [
      'a root rollover: the new root cross-signed in tls.crt, self-signed in ca.crt',
      [
        `root old "/CN=Old Root"; root ca "/CN=New Root"`,
        `openssl x509 -x509toreq -in ca.crt -signkey ca.key -out x.csr 2>/dev/null; sign x old "$CA"; req i /CN=I`,
        `sign i ca "$CA"; ${LEAF('i')}; cat i.crt x.crt >> tls.crt`,
      ].join('; '),
      'info: CERT_DROPPED the certificate New Root',
    ],
  ])('accepts %s', (_what, script, says) => {
    const src = make(script);
    const r = check(src);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(says);
    expect(opensslAccepts(src)).toBe(true);
  });
});

describe('regressions the conformance generator found', () => {
  it('accepts a tls.crt that repeats the leaf after it (seed 2012): the leaf is first', () => {
    const r = check(make(`root ca /CN=R; ${LEAF('ca')}; cat tls.crt tls.crt > both; mv both tls.crt`));
    expect(r.out).not.toContain('LEAF_NOT_FIRST');
    expect(r.code, r.out).toBe(0);
  });

  it('refuses a name only in the CN beside a subjectAltName of IP addresses (seed 109: curl refuses it)', () => {
    const r = check(
      make(`root ca /CN=R; ${LEAF('ca', 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n')}`),
    );
    expect(r.code).toBe(4);
    expect(r.out).toContain('HOSTNAME_NOT_COVERED the certificate localhost does not cover localhost');
  });
});

describe("Kestrel's own rules", () => {
  it("refuses a leaf whose only extended key usage is anyExtendedKeyUsage, with Kestrel's exception", () => {
    const r = check(
      make(`root ca /CN=R; ${LEAF('ca', 'subjectAltName=DNS:localhost\\nextendedKeyUsage=anyExtendedKeyUsage\\n')}`),
    );
    expect(r.code).toBe(4);
    expect(r.out).toContain(
      'NOT_SERVER_AUTH the certificate localhost may not be used by a server: its extended key usage is 2.5.29.37.0 ' +
        'and lacks serverAuth (1.3.6.1.5.5.7.3.1), so Kestrel stops at start ("Certificate ... cannot be used as an ' +
        'SSL server certificate.',
    );
  });

  it('accepts a tls.crt whose first certificate is not the one of the key, saying init puts the leaf first', () => {
    const src = make(
      `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${LEAF('i')}; cat i.crt tls.crt > both; mv both tls.crt`,
    );
    const r = check(src);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(
      `LEAF_NOT_FIRST ${path.join(src, 'tls.crt')} starts with CN=I, not with the certificate of the key: Kestrel ` +
        'pointed at this file would pair the key with that first certificate',
    );
  });
});
