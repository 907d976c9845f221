// The published trust/ directory (sidecar/publish/trust.ts): OpenSSL's subject hash, checked against
// `openssl x509 -hash` for names in each string type OpenSSL writes, the hashed names, the bundle and the
// public-root lookup. Written to kill trust.ts's mutants (docs/testing.md, "Mutation score").
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { caBundle, hashedNames, publicRootsNamed, subjectHash } from '../../../sidecar/publish/trust.js';
import { readFixture } from '../../support/helpers.js';

let dir: string;
const made = new Map<string, string>();
/** A self-signed certificate whose subject openssl encodes with `mask` (its string_mask). */
function selfSigned(name: string, subject: string, mask: string): void {
  const cnf = path.join(dir, `${name}.cnf`);
  fs.writeFileSync(cnf, `[req]\ndistinguished_name=dn\nstring_mask=${mask}\nutf8=yes\n[dn]\n`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-config',
      cnf,
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.crt`),
      '-subj',
      subject,
      '-days',
      '3',
      '-utf8',
    ],
    { stdio: 'pipe' },
  );
  made.set(
    name,
    execFileSync('openssl', ['x509', '-in', path.join(dir, `${name}.crt`), '-hash', '-noout'], {
      encoding: 'utf8',
    }).trim(),
  );
}
const cert = (name: string) => new crypto.X509Certificate(fs.readFileSync(path.join(dir, `${name}.crt`)));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-trust-'));
  selfSigned('utf8', '/CN=  Mixed   CASE  Root /O=Ünïcode Org', 'utf8only');
  selfSigned('printable', '/C=DE/CN=Printable  Root', 'default');
  selfSigned('t61', '/CN=Café Root', 'default');
  selfSigned('bmp', '/CN=Корень Root', 'default');
  selfSigned('multi', '/CN=a+O=B  C/OU=x', 'default');
  selfSigned('twin', '/CN=Printable  Root/C=DE', 'default');
});

describe('subjectHash', () => {
  it.each(['utf8', 'printable', 't61', 'bmp', 'multi'])('is what openssl x509 -hash says for a %s subject', (name) => {
    expect(subjectHash(cert(name))).toBe(made.get(name));
  });

  it('is what openssl says for the fixtures', () => {
    for (const f of ['root.crt', 'inter.crt', 'rsa2048.crt']) {
      const want = execFileSync('openssl', ['x509', '-hash', '-noout'], {
        input: readFixture(f),
        encoding: 'utf8',
      }).trim();
      expect(subjectHash(new crypto.X509Certificate(readFixture(f)))).toBe(want);
    }
  });
});

describe('hashedNames', () => {
  it('numbers anchors of one subject hash .0, .1, as openssl rehash does', () => {
    const a = cert('printable');
    const b = new crypto.X509Certificate(readFixture('root.crt'));
    const names = hashedNames([a, b, a]);
    const h = made.get('printable');
    expect([...names.keys()]).toEqual([`${h}.0`, `${subjectHash(b)}.0`, `${h}.1`]);
    expect(names.get(`${h}.1`)).toBe(a.toString());
  });
});

describe('caBundle and publicRootsNamed', () => {
  it("puts Node's public roots first, then the anchors", () => {
    const a = cert('utf8');
    const bundle = caBundle([a]).toString();
    expect(bundle.startsWith(`${tls.rootCertificates.join('\n')}\n`)).toBe(true);
    expect(bundle.endsWith(a.toString())).toBe(true);
  });

  it('finds a public root by its subject, and none for a name that is not one', () => {
    const root = new crypto.X509Certificate(tls.rootCertificates[0]!);
    expect(publicRootsNamed(root.subject).map((c) => c.fingerprint256)).toContain(root.fingerprint256);
    expect(publicRootsNamed('CN=No Such Root')).toEqual([]);
  });
});
