// Kestrel's own rules (sidecar/validate/kestrel.ts) with the words the user reads: the key types and sizes
// Kestrel serves with, serverAuth, the PFX chain warning and the Development-certificate layout. Written to
// kill its mutants (docs/testing.md, "Mutation score"). The certificates are made by openssl here (an RSA
// public key past 16384 bits is built as a JWK and placed in a certificate with -force_pubkey: generating
// such a key would take minutes) or are test/fixtures.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Material } from '../../../sidecar/material.js';
import { kestrelRules, type KestrelOptions } from '../../../sidecar/validate/kestrel.js';
import { readFixture } from '../../support/helpers.js';
import { LEAF, materialOf, makeChain } from './chains.js';

let dir: string;
const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
/** A certificate for SUBJECT holding PUB (a public key file), issued by ca.key. */
const issue = (name: string, subject: string, pub: string) =>
  sh(['x509', '-new', '-subj', subject, '-key', 'ca.key', '-force_pubkey', pub, '-days', '3', '-out', `${name}.crt`]);

/** An RSA public key of exactly `bits` bits (random odd modulus, top bit set). */
function rsaPublic(bits: number): string {
  const n = crypto.randomBytes(Math.ceil(bits / 8));
  n[0] = bits % 8 ? 1 << ((bits - 1) % 8) : n[0]! | 0x80;
  n[n.length - 1]! |= 1;
  const key = crypto.createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: 'AQAB' }, format: 'jwk' });
  const file = `rsa${bits}.pub`;
  fs.writeFileSync(path.join(dir, file), key.export({ type: 'spki', format: 'pem' }));
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-kestrel-'));
  sh(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key']);
  for (const alg of ['RSA-PSS', 'ED25519', 'ED448', 'X25519']) {
    sh(['genpkey', '-algorithm', alg, '-out', `${alg}.key`]);
    sh(['pkey', '-in', `${alg}.key`, '-pubout', '-out', `${alg}.pub`]);
    issue(alg, `/CN=${alg}`, `${alg}.pub`);
  }
  issue('rsa16384', '/CN=big', rsaPublic(16384));
  issue('rsa16385', '/CN=big', rsaPublic(16385));
  issue('empty', '/', 'ED25519.pub');
  issue('localhost', '/CN=localhost', 'ED25519.pub');
});

const made = (name: string) => new crypto.X509Certificate(fs.readFileSync(path.join(dir, `${name}.crt`)));
const fixture = (name: string) => new crypto.X509Certificate(readFixture(name));
function material(leaf: crypto.X509Certificate, kind: Material['source']['kind'] = 'pem'): Material {
  return {
    leaf,
    key: crypto.createPrivateKey(readFixture('rsa2048.key')),
    others: [],
    anchors: [],
    source: { kind, files: ['/in/tls.crt'], details: {} },
    findings: [],
  };
}
const rules = (leaf: crypto.X509Certificate, opts: KestrelOptions = {}, chain = [leaf]) =>
  kestrelRules(material(leaf), chain, opts, 'tls.crt');

describe('the key types Kestrel serves with', () => {
  it('accepts RSA up to 16384 bits and ECDSA', () => {
    expect(rules(fixture('rsa2048.crt'))).toEqual([]);
    expect(rules(fixture('p256.crt'))).toEqual([]);
    expect(rules(made('rsa16384'))).toEqual([]);
  });

  it('refuses RSA past 16384 bits', () => {
    expect(rules(made('rsa16385'))).toEqual([
      {
        code: 'UNSUPPORTED_ALGORITHM',
        severity: 'error',
        message: 'the key of big is RSA 16385, larger than 16384 bits',
        hint: 'issue the certificate with an RSA key of 2048 to 8192 bits',
        file: 'tls.crt',
      },
    ]);
  });

  it("refuses an RSA-PSS key with Kestrel's words", () => {
    expect(rules(made('RSA-PSS'))).toEqual([
      {
        code: 'UNSUPPORTED_ALGORITHM',
        severity: 'error',
        message:
          'the key of RSA-PSS is an RSA-PSS key (OID 1.2.840.113549.1.1.10), which Kestrel cannot load: it stops ' +
          `at start with "Unknown algorithm for certificate with public key type '1.2.840.113549.1.1.10'"`,
        hint:
          'issue the certificate with a plain RSA key (openssl: -newkey rsa:2048, not rsa-pss; it can still sign ' +
          'with PSS) or an ECDSA key',
        file: 'tls.crt',
      },
    ]);
  });

  it.each([
    ['ED25519', '1.3.101.112'],
    ['ED448', '1.3.101.113'],
  ])('refuses an %s key with the OID Kestrel names', (alg, oid) => {
    expect(rules(made(alg))).toEqual([
      {
        code: 'UNSUPPORTED_ALGORITHM',
        severity: 'error',
        message:
          `the key of ${alg} is ${alg}, which Kestrel cannot load: it stops at start with "Unknown algorithm for ` +
          `certificate with public key type '${oid}'"`,
        hint: 'issue the certificate with an RSA or ECDSA (P-256, P-384 or P-521) key',
        file: 'tls.crt',
      },
    ]);
  });

  it('refuses a key type it knows no OID for without quoting Kestrel', () => {
    expect(rules(made('X25519')).map((f) => f.message)).toEqual([
      'the key of X25519 is X25519, which Kestrel cannot load',
    ]);
  });
});

describe('serverAuth', () => {
  it("refuses an extended key usage without serverAuth, with Kestrel's exception", () => {
    expect(rules(fixture('clientonly.crt'))).toEqual([
      {
        code: 'NOT_SERVER_AUTH',
        severity: 'error',
        message:
          'the certificate clientonly may not be used by a server: its extended key usage is 1.3.6.1.5.5.7.3.2 and ' +
          'lacks serverAuth (1.3.6.1.5.5.7.3.1), so Kestrel stops at start ("Certificate ... cannot be used as an ' +
          'SSL server certificate. It has an Extended Key Usage extension but the usages do not include Server ' +
          'Authentication")',
        hint: 'issue a server certificate (extendedKeyUsage serverAuth) for the names it serves',
        file: 'tls.crt',
      },
    ]);
  });

  it('lists every extended key usage the certificate has', () => {
    const m = materialOf(makeChain(`root ca /CN=R; ${LEAF('ca', 'extendedKeyUsage=clientAuth,codeSigning\\n')}`));
    expect(kestrelRules(m, [m.leaf], {}, undefined)[0]?.message).toContain(
      'the certificate localhost may not be used by a server: its extended key usage is 1.3.6.1.5.5.7.3.2, ' +
        '1.3.6.1.5.5.7.3.3 and lacks serverAuth',
    );
  });

  it('accepts a certificate without an extended key usage', () => {
    expect(made('ED25519').keyUsage).toBeUndefined();
    expect(rules(made('empty')).map((f) => f.code)).toEqual(['UNSUPPORTED_ALGORITHM']);
  });
});

describe('how Kestrel is pointed at the set', () => {
  const leaf = () => fixture('rsa2048.crt');
  const inter = () => fixture('inter.crt');

  it('warns that Kestrel sends only the leaf of cert.pfx when there is an intermediate', () => {
    expect(rules(leaf(), { kestrelFormat: 'pfx' }, [leaf(), inter()])).toEqual([
      {
        code: 'KESTREL_PFX_CHAIN',
        severity: 'warning',
        message:
          'Kestrel sends only the leaf of cert.pfx, so clients that do not already hold the intermediate ' +
          'CN=Fixture Intermediate CA will reject the server',
        hint: 'use KCS_KESTREL_FORMAT=pem (the default): Kestrel sends the whole chain of tls.crt',
      },
    ]);
  });

  it('says nothing of a PFX holding the leaf alone, or of a PEM chain', () => {
    expect(rules(leaf(), { kestrelFormat: 'pfx' })).toEqual([]);
    expect(rules(leaf(), { kestrelFormat: 'pem' }, [leaf(), inter()])).toEqual([]);
  });

  it('refuses a development certificate that is not CN=localhost and lacks the ASP.NET Core extension', () => {
    expect(rules(leaf(), { devLayout: true })).toEqual([
      {
        code: 'NOT_DEV_CERT',
        severity: 'error',
        message:
          'Kestrel would not take /in/tls.crt as its development certificate (KCS_APP_NAME): its subject is ' +
          'CN=rsa2048, not CN=localhost, and it lacks the ASP.NET Core HTTPS development extension ' +
          '(OID 1.3.6.1.4.1.311.84.1.1); Kestrel would stop at start with "Unable to configure HTTPS endpoint. ' +
          'No server certificate was specified, and the default developer certificate could not be found or is ' +
          'out of date."',
        hint:
          'export the development certificate with `dotnet dev-certs https -ep <file>.pfx -p <password>`, or ' +
          'unset KCS_SOURCE to generate one; or unset KCS_APP_NAME and KCS_USER_SECRETS_ID and point Kestrel at ' +
          'tls.crt and tls.key (kestrel.env)',
        file: '/in/tls.crt',
      },
    ]);
  });

  it('names an empty subject as such', () => {
    const [f] = rules(made('empty'), { devLayout: true }).filter((x) => x.code === 'NOT_DEV_CERT');
    expect(f?.message).toContain(': its subject is empty, not CN=localhost, and it lacks the ASP.NET Core');
  });

  it("takes the dotnet dev-certs certificate, and any generated one, as Kestrel's development certificate", () => {
    const dev = new crypto.X509Certificate(readFixture('dotnet-pem/aspnetapp.pem'));
    expect(rules(dev, { devLayout: true })).toEqual([]);
    expect(kestrelRules(material(leaf(), 'generated'), [leaf()], { devLayout: true }, undefined)).toEqual([]);
  });

  it('names only the missing extension for a CN=localhost certificate without it', () => {
    const [f] = rules(made('localhost'), { devLayout: true }).filter((x) => x.code === 'NOT_DEV_CERT');
    expect(f?.message).toContain(
      '(KCS_APP_NAME): it lacks the ASP.NET Core HTTPS development extension (OID 1.3.6.1.4.1.311.84.1.1); Kestrel',
    );
  });
});
