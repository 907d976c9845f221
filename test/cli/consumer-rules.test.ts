// Verdicts the outside trial found wrong, each made with the real producer at test time and, where a
// consumer can answer here without .NET, judged by it (openssl verify, openssl pkcs12). What Kestrel
// itself does with each is in test/integration/kestrel-rules.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASS, fixture } from '../support/helpers.js';
import { extfile, selfSigned, signArgs } from '../support/openssl.js';
import { ENABLE, missing, needs } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-rules-'));
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('key algorithms, as Kestrel loads them', () => {
  it('refuses an RSA-PSS key, saying what Kestrel does with it (item 1)', () => {
    const src = selfSigned(path.join(tmp(), 'src'), ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048']);
    const r = run(['check', '--source', src]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('key      RSA-PSS 2048');
    expect(r.stdout).toContain(
      `UNSUPPORTED_ALGORITHM the key of localhost is an RSA-PSS key (OID ` +
        `1.2.840.113549.1.1.10), which Kestrel cannot load: it stops at start with ` +
        `"Unknown algorithm for certificate with public key type ` +
        `'1.2.840.113549.1.1.10'"\n  fix: issue the certificate with a plain RSA key ` +
        `(openssl: -newkey rsa:2048, not rsa-pss; it can still sign with PSS) or an ECDSA key`,
    );
  });

  it('refuses Ed25519 with a fix that names every curve it accepts, P-521 included (item 7)', () => {
    const r = run(['check', '--source', selfSigned(path.join(tmp(), 'src'), ['-newkey', 'ed25519'])]);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      `UNSUPPORTED_ALGORITHM the key of localhost is ED25519, which Kestrel cannot load: ` +
        `it stops at start with "Unknown algorithm for certificate with public key type ` +
        `'1.3.101.112'"\n  fix: issue the certificate with an RSA or ECDSA (P-256, P-384 or P-521) key`,
    );
  });

  it('accepts ECDSA P-521', () => {
    const r = run([
      'check',
      '--source',
      selfSigned(path.join(tmp(), 'src'), ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521']),
    ]);
    expect(r.stdout).toContain('key      ECDSA P-521');
    expect(r.code).toBe(0);
  });
});

describe('dotnet dev-certs exports are self-signed, and trusted as they are (item 3)', () => {
  it.each([
    ['the PFX', ['--source', fixture('dotnet-devcert.pfx')], { KCS_PASSWORD: PASS }],
    ['the PEM pair', ['--source', fixture('dotnet-pem/aspnetapp.pem')], {}],
  ])(
    '%s: no CHAIN_BROKEN, and openssl verify accepts tls.crt against ca.crt without -partial_chain',
    (_what, args, env) => {
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--output', out, ...args], env);
      expect(r.stderr).not.toContain('CHAIN_BROKEN');
      expect(r.code).toBe(0);
      const verify = spawnSync('openssl', ['verify', '-CAfile', path.join(out, 'ca.crt'), path.join(out, 'tls.crt')], {
        encoding: 'utf8',
      });
      expect(verify.stdout.trim()).toBe(`${path.join(out, 'tls.crt')}: OK`);
    },
  );
});

describe('LEGACY_ENCRYPTION says only what OpenSSL 3 does (item 4)', () => {
  it('a 3DES PFX, which OpenSSL 3 reads with its default provider, gets no legacy note', () => {
    expect(
      spawnSync('openssl', ['pkcs12', '-in', fixture('windows-3des.pfx'), '-nodes', '-passin', `pass:${PASS}`]).status,
    ).toBe(0);
    const r = run(['check', '--source', fixture('windows-3des.pfx')], { KCS_PASSWORD: PASS });
    expect(r.stdout).not.toContain('LEGACY_ENCRYPTION');
  });

  it('an RC2 PFX, which OpenSSL 3 refuses, gets the note, and it is true', () => {
    expect(
      spawnSync('openssl', ['pkcs12', '-in', fixture('openssl-legacy-rc2.pfx'), '-nodes', '-passin', `pass:${PASS}`])
        .status,
    ).not.toBe(0);
    const r = run(['check', '--source', fixture('openssl-legacy-rc2.pfx')], { KCS_PASSWORD: PASS });
    expect(r.stdout).toContain(
      `info: LEGACY_ENCRYPTION ${fixture('openssl-legacy-rc2.pfx')} uses PBE-SHA1-RC2-40, ` +
        `which OpenSSL 3 refuses without its legacy provider`,
    );
  });
});

const hasKeytool = needs('Java keystores (keytool)', missing('keytool', ['-help']), ENABLE.keytool);

describe.runIf(hasKeytool)('keystores Kestrel cannot read are named, with the conversion (item 5)', () => {
  it.each(['JKS', 'JCEKS'])('a %s keystore made by keytool', (type) => {
    const d = tmp();
    const ks = path.join(d, `server.${type.toLowerCase()}`);
    execFileSync(
      'keytool',
      [
        '-genkeypair',
        '-alias',
        'server',
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-dname',
        'CN=localhost',
        '-validity',
        '30',
        '-storetype',
        type,
        '-keystore',
        ks,
        '-storepass',
        'changeit',
        '-keypass',
        'changeit',
      ],
      { stdio: 'pipe' },
    );
    for (const source of [ks, d]) {
      const r = run(['check', '--source', source], { KCS_PASSWORD: 'changeit' });
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(
        `UNSUPPORTED_FORMAT cannot read ${ks}: it is ` +
          `${type === 'JKS' ? 'a Java KeyStore (JKS)' : 'a Java JCEKS keystore'}, which ` +
          `neither Kestrel nor OpenSSL reads\nfix: convert it to PKCS#12 with Java's ` +
          `keytool: keytool -importkeystore -srckeystore ${ks} -srcstoretype ${type} ` +
          `-destkeystore keystore.p12 -deststoretype PKCS12, then mount keystore.p12\n`,
      );
    }
  });
});

describe('a single PEM file finds its key beside it (item 6)', () => {
  it('--source <name>.pem takes <name>.key, as dotnet dev-certs --format PEM writes them', () => {
    const r = run(['check', '--source', fixture('dotnet-pem/aspnetapp.pem')]);
    expect(r.stdout).toContain('result   valid');
    expect(r.code).toBe(0);
  });

  it('--source <name>.pem takes <name>-key.pem, as mkcert writes them', () => {
    const d = tmp();
    fs.copyFileSync(fixture('pem-pkcs8/server.crt'), path.join(d, 'localhost.pem'));
    fs.copyFileSync(fixture('pem-pkcs8/server.key'), path.join(d, 'localhost-key.pem'));
    expect(run(['check', '--source', path.join(d, 'localhost.pem')]).stdout).toContain('result   valid');
  });

  it('without either, says exactly which names it looked for', () => {
    const d = tmp();
    fs.copyFileSync(fixture('pem-pkcs8/server.crt'), path.join(d, 'devcert.pem'));
    const r = run(['check', '--source', path.join(d, 'devcert.pem')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^KEY_MISSING cannot find the private key of CN=.*: ` +
          `${path.join(d, 'devcert.pem')} holds none, and there is no devcert\\.key or ` +
          `devcert-key\\.pem beside it\\nfix: put the key in ` +
          `${path.join(d, 'devcert.key')}, or set KCS_KEY_FILE to it\\n$`,
      ),
    );
  });
});

describe('check reports everything init would (item 8)', () => {
  it('KESTREL_PFX_CHAIN with --kestrel-format pfx and intermediates, in text and --json', () => {
    const args = ['check', '--source', fixture('pem-pkcs8'), '--kestrel-format', 'pfx'];
    expect(run(args).stdout).toContain('warning: KESTREL_PFX_CHAIN Kestrel sends only the leaf of cert.pfx');
    const json = JSON.parse(run([...args, '--json']).stdout) as { findings: { code: string }[] };
    expect(json.findings.map((f) => f.code)).toContain('KESTREL_PFX_CHAIN');
    expect(run(['init', '--output', path.join(tmp(), 'out'), ...args.slice(1)]).stderr).toContain(
      'warning: KESTREL_PFX_CHAIN',
    );
  });
});

describe('the Development layout only for a certificate Kestrel takes as its development certificate (item 2)', () => {
  const dev = ['--app-name', 'Api', '--user-secrets-id', 'x1'];
  it('refuses a CN=localhost certificate from openssl, which lacks the development extension', () => {
    const src = selfSigned(path.join(tmp(), 'src'), ['-newkey', 'rsa:2048']);
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--source', src, '--output', out, ...dev]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      `NOT_DEV_CERT Kestrel would not take ${path.join(src, 'tls.crt')} as its ` +
        `development certificate (KCS_APP_NAME): it lacks the ASP.NET Core HTTPS ` +
        `development extension (OID 1.3.6.1.4.1.311.84.1.1); Kestrel would stop at start ` +
        `with "Unable to configure HTTPS endpoint. No server certificate was specified, ` +
        `and the default developer certificate could not be found or is out of date."\n`,
    );
    expect(fs.existsSync(path.join(out, '..data'))).toBe(false);
  });

  it('refuses a keytool PKCS12 (CN=localhost, no extension) and another subject, naming both reasons', () => {
    const keytool = run(['check', '--source', fixture('keytool.p12'), ...dev], { KCS_PASSWORD: PASS });
    expect(keytool.code).toBe(4);
    expect(keytool.stdout).toMatch(
      new RegExp(
        /NOT_DEV_CERT .*keytool\.p12 as its development certificate \(KCS_APP_NAME\): /.source +
          /it lacks the ASP\.NET Core HTTPS development extension/.source,
      ),
    );
    const other = run(['check', '--source', fixture('pem-pkcs8'), ...dev]);
    expect(other.stdout).toMatch(
      new RegExp(
        /NOT_DEV_CERT .*: its subject is CN=rsa2048, not CN=localhost, /.source +
          /and it lacks the ASP\.NET Core HTTPS development extension/.source,
      ),
    );
  });

  it('accepts a dotnet dev-certs export, and a generated certificate', () => {
    expect(
      run(['init', '--source', fixture('dotnet-devcert.pfx'), '--output', path.join(tmp(), 'out'), ...dev], {
        KCS_PASSWORD: PASS,
      }).code,
    ).toBe(0);
    expect(run(['init', '--output', path.join(tmp(), 'out'), ...dev]).code).toBe(0);
  });
});

describe('what strict clients check in each certificate, as the conformance matrix found', () => {
  const ca = () => {
    const d = tmp();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-nodes',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-subj',
        '/CN=Rules CA',
        '-days',
        '30',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
        '-keyout',
        path.join(d, 'ca.key'),
        '-out',
        path.join(d, 'ca.crt'),
      ],
      { stdio: 'pipe' },
    );
    return d;
  };
  /** A leaf for localhost signed by a fresh CA, with the extension lines and digest given; source dir with
   *  the CA as ca.crt. */
  const leaf = (ext: string[], digest = 'sha256', key = 'rsa:2048') => {
    const d = ca();
    const src = path.join(d, 'src');
    fs.mkdirSync(src);
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-nodes',
        '-newkey',
        key,
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(src, 'tls.key'),
        '-out',
        path.join(d, 'leaf.csr'),
      ],
      { stdio: 'pipe' },
    );
    const issuer = { crt: path.join(d, 'ca.crt'), key: path.join(d, 'ca.key') };
    const args = signArgs(path.join(d, 'leaf.csr'), issuer, extfile(d, 'leaf', ext), path.join(src, 'tls.crt'), [
      '-days',
      '60',
      `-${digest}`,
    ]);
    execFileSync('openssl', args, { stdio: 'pipe' });
    fs.copyFileSync(path.join(d, 'ca.crt'), path.join(src, 'ca.crt'));
    return src;
  };
  const SERVER = ['subjectAltName=DNS:localhost', 'extendedKeyUsage=serverAuth'];
  /** `check` of a leaf with these extensions, for the name localhost. */
  const checkLeaf = (ext: string[], digest?: string) =>
    run(['check', '--source', leaf(ext, digest), '--hostnames', 'localhost']);

  it('refuses a leaf signed with SHA-1 (WEAK_SIGNATURE)', () => {
    const r = checkLeaf(SERVER, 'sha1');
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      'WEAK_SIGNATURE OpenSSL\'s verifier refuses the chain of localhost ("CA signature ' +
        'digest algorithm too weak": localhost is signed with ECDSA with SHA-1, refused ' +
        'at the default security level), and with it curl, Python and Node\n  fix: get a ' +
        'chain whose certificates are signed with SHA-256 or better',
    );
  });

  it('refuses a critical extension OpenSSL does not handle (UNSUPPORTED_EXTENSION), not a non-critical one', () => {
    const bad = checkLeaf([...SERVER, '1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:x']);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toContain(
      "UNSUPPORTED_EXTENSION OpenSSL's verifier refuses the chain of localhost " +
        '("unhandled critical extension": localhost has a critical extension ' +
        '1.3.6.1.4.1.55555.1 that OpenSSL does not handle)',
    );
    expect(checkLeaf([...SERVER, '1.3.6.1.4.1.55555.1=ASN1:UTF8String:x']).code).toBe(0);
  });

  it('refuses a key usage without the TLS bits (NOT_SERVER_AUTH); keyEncipherment or keyAgreement alone do', () => {
    const r = checkLeaf([...SERVER, 'keyUsage=critical,keyCertSign']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      'NOT_SERVER_AUTH OpenSSL\'s verifier refuses the chain of localhost ("unsuitable ' +
        'certificate purpose": the key usage of the certificate (keyCertSign) has none of ' +
        'digitalSignature, keyEncipherment, keyAgreement)',
    );
    // OpenSSL's check_purpose_ssl_server wants one of the three (KU_TLS); Kestrel does not look.
    for (const usage of ['keyEncipherment', 'keyAgreement'])
      expect(checkLeaf([...SERVER, `keyUsage=critical,${usage}`]).code).toBe(0);
    expect(checkLeaf([...SERVER, 'keyUsage=critical,digitalSignature,keyEncipherment']).code).toBe(0);
  });

  it('accepts a name only in the CN when there is no subjectAltName, warning who accepts it', () => {
    const r = checkLeaf(['extendedKeyUsage=serverAuth']);
    expect(r.stdout).toContain(
      'warning: HOSTNAME_NOT_COVERED the certificate localhost names localhost only in ' +
        'its subject CN and has no subjectAltName: OpenSSL, curl, Node, Python and .NET ' +
        'accept that, falling back to the CN; clients that require subjectAltName (RFC 6125) refuse it',
    );
    expect(r.code).toBe(0);
    // With a subjectAltName that lacks the name, the CN does not count, for any of them.
    expect(checkLeaf(['subjectAltName=DNS:other.example', 'extendedKeyUsage=serverAuth']).code).toBe(4);
  });
});

describe.runIf(hasKeytool)('a keystore with several key entries (item 9)', () => {
  const two = () => {
    const d = tmp();
    const ks = path.join(d, 'two.p12');
    for (const alias of ['first', 'second']) {
      execFileSync(
        'keytool',
        [
          '-genkeypair',
          '-alias',
          alias,
          '-keyalg',
          'EC',
          '-groupname',
          'secp256r1',
          '-dname',
          `CN=${alias}`,
          '-ext',
          'SAN=dns:localhost',
          '-validity',
          '60',
          '-storetype',
          'PKCS12',
          '-keystore',
          ks,
          '-storepass',
          'changeit',
          '-keypass',
          'changeit',
        ],
        { stdio: 'pipe' },
      );
    }
    return ks;
  };

  it('is SOURCE_AMBIGUOUS naming every entry, the one Kestrel loads (the last), and the setting to pick', () => {
    const ks = two();
    const r = run(['check', '--source', ks], { KCS_PASSWORD: 'changeit' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      new RegExp(
        `^SOURCE_AMBIGUOUS cannot choose a certificate in ${ks}: it holds 2 entries with ` +
          `their key \\("first" \\(CN=first, sha256 [0-9A-F:]{95}\\), "second" ` +
          `\\(CN=second, sha256 [0-9A-F:]{95}\\)\\); Kestrel itself would load the last ` +
          `one, "second" \\(CN=second, sha256 [0-9A-F:]{95}\\)\\nfix: set KCS_CERT_ENTRY ` +
          `to the entry to publish, by its name or SHA-256 thumbprint, for example KCS_CERT_ENTRY=second\\n$`,
      ),
    );
  });

  it('KCS_CERT_ENTRY picks an entry by alias or SHA-256 thumbprint, and names them when it matches none', () => {
    const ks = two();
    const byName = run(['check', '--source', ks, '--cert-entry', 'First'], { KCS_PASSWORD: 'changeit' });
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain('└─ CN=first  [leaf, self-signed]');
    const sha = /CN=second[\s\S]*?sha256\s+([0-9A-F:]{95})/.exec(
      run(['check', '--source', ks, '--cert-entry', 'second'], { KCS_PASSWORD: 'changeit' }).stdout,
    )![1]!;
    const byThumb = run(['check', '--source', ks], {
      KCS_PASSWORD: 'changeit',
      KCS_CERT_ENTRY: sha.replace(/:/g, '').toLowerCase(),
    });
    expect(byThumb.code).toBe(0);
    expect(byThumb.stdout).toContain('└─ CN=second  [leaf, self-signed]');
    const none = run(['check', '--source', ks, '--cert-entry', 'third'], { KCS_PASSWORD: 'changeit' });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(
      new RegExp(
        /^SOURCE_NOT_FOUND cannot find the entry KCS_CERT_ENTRY=third in .*: /.source +
          /the certificates with their key are "first" .*, "second" .*\n/.source +
          /fix: set KCS_CERT_ENTRY to one of those names or SHA-256 thumbprints\n$/.source,
      ),
    );
  });
});
