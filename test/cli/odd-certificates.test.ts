// Certificates that are valid X.509 and that Node parses, but that are unusual: version 1 (the classic
// `openssl x509 -req -signkey` tutorial), empty subjects and issuers (RFC 5280 4.1.2.6, a critical
// subjectAltName, as short-lived ACME profiles issue), every string type a name may hold, multi-valued
// RDNs, every GeneralName form, GeneralizedTime, long chains. Each is made by its real producer at test
// time; `check` and `init` must handle each: a verdict (exit 0 or 4), never an internal error (1) and
// never a false "check the volume" (5); what `init` publishes is read back by OpenSSL.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENABLE, missing, needs } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const PYTHON = process.env.MATRIX_PYTHON ?? 'python3';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-odd-'));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const sh = (dir: string, script: string) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, stdio: 'pipe' });

/** A root CA (ca.key, ca.crt) and `leaf CSR-SUBJECT EXTENSIONS [REQ-ARGS]`: tls.key, tls.crt. */
const OPENSSL_CA = `
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj "/CN=Odd Root" -days 60 \\
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
leaf() {
  printf "%b" "$2" > ext.cnf
  openssl req -new -newkey rsa:2048 -nodes -keyout tls.key -out r.csr -subj "$1" \${3:-} 2>/dev/null
  openssl x509 -req -in r.csr -CA ca.crt -CAkey ca.key -days 30 -out tls.crt -extfile ext.cnf 2>/dev/null
  rm r.csr ext.cnf ca.key
}`;

const PY_HEAD = `
import datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.x509.name import _ASN1Type
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
now = datetime.datetime.now(datetime.timezone.utc)
def cert(subject, issuer, pub, ikey, exts, after=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(after or now + datetime.timedelta(days=40)))
    for e, c in exts: b = b.add_extension(e, critical=c)
    return b.sign(ikey, hashes.SHA256())
def write(leaf, key, ca):
    open('tls.crt', 'wb').write(leaf.public_bytes(serialization.Encoding.PEM))
    open('ca.crt', 'wb').write(ca.public_bytes(serialization.Encoding.PEM))
    open('tls.key', 'wb').write(key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
CA = [(x509.BasicConstraints(True, None), True),
      (x509.KeyUsage(True, False, False, False, False, True, True, False, False), True)]
SAN = (x509.SubjectAlternativeName([x509.DNSName('localhost')]), False)
`;

interface Case {
  what: string;
  make: (dir: string) => void;
  python?: boolean;
  pending?: boolean;
  /** The verdict, when the consumers' verdict is known (OpenSSL accepts all of these). */
  valid?: boolean;
  /** Text `check` prints. */
  says?: string[];
}

const cases: Case[] = [
  {
    what: 'a version-1 self-signed certificate (openssl x509 -req -signkey)',
    make: (d) =>
      sh(
        d,
        `openssl genrsa -out tls.key 2048 2>/dev/null; openssl req -new -key tls.key -subj /CN=localhost -out r.csr
         openssl x509 -req -in r.csr -signkey tls.key -days 30 -out tls.crt 2>/dev/null; rm r.csr`,
      ),
    valid: true,
    says: ['└─ CN=localhost  [leaf, self-signed]'],
  },
  {
    what: 'a version-1 root in ca.crt',
    make: (d) =>
      sh(
        d,
        `openssl genrsa -out ca.key 2048 2>/dev/null; openssl req -new -key ca.key -subj "/CN=V1 Root" -out ca.csr
         openssl x509 -req -in ca.csr -signkey ca.key -days 60 -out ca.crt 2>/dev/null
         openssl req -new -newkey rsa:2048 -nodes -keyout tls.key -out r.csr -subj /CN=localhost 2>/dev/null
         printf "subjectAltName=DNS:localhost\\n" > e.cnf
         openssl x509 -req -in r.csr -CA ca.crt -CAkey ca.key -days 30 -out tls.crt -extfile e.cnf 2>/dev/null
         rm r.csr ca.csr e.cnf ca.key`,
      ),
  },
  {
    what: 'an empty subject with a critical subjectAltName',
    make: (d) => sh(d, `${OPENSSL_CA}\nleaf / "subjectAltName=critical,DNS:localhost\\n"`),
    valid: true,
    says: ['└─ (no subject)  [leaf]', '     names    localhost'],
  },
  {
    what: 'a self-signed certificate with an empty subject',
    make: (d) =>
      sh(
        d,
        `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.crt \\
           -subj / -addext "subjectAltName=critical,DNS:localhost" -days 30 2>/dev/null`,
      ),
    // curl prints the server certificate's issuer and stops when it is empty (lib/vtls/openssl.c).
    valid: false,
    says: ['└─ (no subject)  [leaf, self-signed]', 'CHAIN_BROKEN the issuer name of localhost (no subject) is empty'],
  },
  {
    what: 'a leaf and CA that both have empty names',
    python: true,
    // OpenSSL takes the leaf, whose subject and issuer are both empty, for self-issued.
    valid: false,
    says: ['CHAIN_BROKEN OpenSSL\'s verifier refuses the chain of localhost (no subject) ("self-signed certificate"'],
    make: (d) =>
      sh(
        d,
        `${PYTHON} - <<'EOF'
${PY_HEAD}
e = x509.Name([])
ca = cert(e, e, ca_key.public_key(), ca_key, CA + [(x509.SubjectAlternativeName([x509.DNSName('ca.test')]), True)])
write(cert(e, e, key.public_key(), ca_key, [(SAN[0], True)]), key, ca)
EOF`,
      ),
  },
  {
    what: 'a CA named in UniversalString, BMPString and T61String',
    python: true,
    make: (d) =>
      sh(
        d,
        `${PYTHON} - <<'EOF'
${PY_HEAD}
n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Wéird Ü Root', _ASN1Type.UniversalString),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'BMP Örg', _ASN1Type.BMPString),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, 'T61 unit', _ASN1Type.T61String)])
ca = cert(n, n, ca_key.public_key(), ca_key, CA)
localhost = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')])
write(cert(localhost, n, key.public_key(), ca_key, [SAN]), key, ca)
EOF`,
      ),
    valid: true,
    says: ['CN=Wéird Ü Root, O=BMP Örg, OU=T61 unit  [ca.crt, self-signed]'],
  },
  {
    what: 'a multi-valued RDN and a UTF-8 subject',
    make: (d) =>
      sh(
        d,
        `${OPENSSL_CA}\nleaf "/CN=localhöst+O=Multi/OU=a/OU=b" "subjectAltName=DNS:localhost\\n" ` +
          '"-multivalue-rdn -utf8"',
      ),
    valid: true,
  },
  {
    what: 'every GeneralName form in subjectAltName',
    make: (d) =>
      sh(
        d,
        `${OPENSSL_CA}
leaf /CN=localhost "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1,email:a@b.test,URI:https://x.test/,RID:1.2.3.4,\
otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x,dirName:dn\\n[dn]\\nCN=inner\\n"`,
      ),
    valid: true,
    says: ['names    localhost, 127.0.0.1, ::1'],
  },
  {
    what: 'a version-1 leaf from a CA (openssl x509 -req without -extfile)',
    make: (d) => sh(d, `${OPENSSL_CA}\nleaf /CN=localhost ""`),
    valid: true,
    says: ['HOSTNAME_NOT_COVERED'],
  },
  {
    what: 'a leaf valid until 2099 (GeneralizedTime)',
    python: true,
    make: (d) =>
      sh(
        d,
        `${PYTHON} - <<'EOF'
${PY_HEAD}
n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Far Root')])
ca = cert(n, n, ca_key.public_key(), ca_key, CA, datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc))
leaf = cert(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')]), n, key.public_key(), ca_key, [SAN],
    datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc))
write(leaf, key, ca)
EOF`,
      ),
    valid: true,
    says: ['valid    '],
  },
  {
    what: 'a chain of eight intermediates',
    make: (d) =>
      sh(
        d,
        `ec() { openssl req "$@" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes 2>/dev/null; }
ec -x509 -keyout k0 -out c0 -subj "/CN=Long Root" -days 60 -addext basicConstraints=critical,CA:TRUE
printf "basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n" > ca.cnf
for i in 1 2 3 4 5 6 7 8; do
  ec -new -keyout k$i -out r -subj "/CN=Long Int $i"
  openssl x509 -req -in r -CA c$((i-1)) -CAkey k$((i-1)) -days 50 -out c$i -extfile ca.cnf 2>/dev/null
done
ec -new -keyout tls.key -out r -subj /CN=localhost
printf "subjectAltName=DNS:localhost\\n" > e.cnf
openssl x509 -req -in r -CA c8 -CAkey k8 -days 30 -out leaf -extfile e.cnf 2>/dev/null
cat leaf c8 c7 c6 c5 c4 c3 c2 c1 > tls.crt; cp c0 ca.crt; rm -f k? c? r e.cnf ca.cnf leaf`,
      ),
    valid: true,
    says: ['CN=Long Int 8  [intermediate]', 'CN=Long Int 1  [intermediate]'],
  },
];

const python = cases.some((c) => c.python)
  ? needs('certificates made by python cryptography', missing(PYTHON, ['-c', 'import cryptography']), ENABLE.producers)
  : false;

describe('unusual certificates get a verdict from check and init, never a crash', () => {
  it.each(cases.filter((c) => !c.pending && (!c.python || python)))('$what', (c) => {
    const src = path.join(tmp(), 'src');
    fs.mkdirSync(src);
    c.make(src);
    const checked = run(['check', '--source', src, '--hostnames', 'localhost']);
    expect(checked.out).not.toMatch(/internal error|TypeError|OUTPUT_NOT_WRITABLE/);
    expect([0, 4]).toContain(checked.code);
    if (c.valid !== undefined) expect(checked.code, checked.out).toBe(c.valid ? 0 : 4);
    for (const text of c.says ?? []) expect(checked.out).toContain(text);

    const out = path.join(tmp(), 'out');
    const init = run(['init', '--source', src, '--output', out, '--hostnames', 'localhost']);
    expect(init.out).not.toMatch(/internal error|TypeError|OUTPUT_NOT_WRITABLE/);
    expect(init.code, init.out).toBe(checked.code);
    if (init.code !== 0) return;
    // What was published is the source's leaf, and OpenSSL reads every file.
    const leaf = new crypto.X509Certificate(fs.readFileSync(path.join(src, 'tls.crt')));
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { sha256: string };
    expect(manifest.sha256).toBe(leaf.fingerprint256);
    for (const anchor of fs.readdirSync(path.join(out, 'trust/certs'))) {
      // The hashed directory for SSL_CERT_DIR: each name is OpenSSL's own subject hash of the file.
      const hash = execFileSync('openssl', ['x509', '-hash', '-noout', '-in', path.join(out, 'trust/certs', anchor)]);
      expect(anchor).toBe(`${hash.toString().trim()}.0`);
    }
    const verify = spawnSync('openssl', [
      'verify',
      '-CAfile',
      path.join(out, 'ca.crt'),
      '-untrusted',
      path.join(out, 'tls.crt'),
      path.join(out, 'tls.crt'),
    ]);
    expect(verify.status, String(verify.stdout) + String(verify.stderr)).toBe(0);
  });
});
