// The conformance matrix's inputs, made at test time by the real tools: OpenSSL 3, `dotnet dev-certs`,
// .NET itself (the judge's `produce`), Java keytool, Python's cryptography, GnuTLS certtool and mkcert.
// Each input says what it exercises, where its trust anchor is (what a client of the source trusts:
// its root, or the self-signed certificate itself), and Kestrel's best faithful form of it: the
// source itself for PEM; for a keystore, its key and certificates as PEM (leaf first) taken out by
// OpenSSL, or the keystore itself when Kestrel is meant to load it as it is (several entries).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { extfile, signArgs } from '../support/openssl.js';

export interface Input {
  id: string;
  producer: string;
  what: string;
  /** KCS_SOURCE. */
  source: string;
  password?: string;
  /** The file a client of the source trusts. */
  anchor: string;
  /** How Kestrel is given the source; undefined when nothing can give it to Kestrel at all. */
  best?: { mode: 'pem-urls' | 'pfx-urls'; path: string; keyPath?: string; password?: string } | undefined;
  /** Also publish the Development layout (a certificate Kestrel may take as its development certificate). */
  dev?: boolean;
  /** For a leaf whose issuer is not in the source: whether that issuer is a root. No tool can tell
   *  from the source alone; `check` warns CHAIN_BROKEN, and the material is usable exactly when it is. */
  issuerIsRoot?: boolean;
}

const PW = 'matrix-Pa55';
const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
const ossl = (...args: string[]) => sh('openssl', args);

/** The Kestrel form of a PKCS#12 file, taken out by OpenSSL (with its legacy provider, for RC2). */
function pemForm(dir: string, pfx: string, password: string | undefined): Input['best'] {
  const pass = `pass:${password ?? ''}`;
  const out = (args: string[]) =>
    spawnSync('openssl', ['pkcs12', '-in', pfx, '-passin', pass, '-legacy', ...args], { encoding: 'latin1' });
  const key = out(['-nocerts', '-nodes']);
  const leaf = out(['-clcerts', '-nokeys']);
  const rest = out(['-cacerts', '-nokeys']);
  if (key.status !== 0 || leaf.status !== 0 || !leaf.stdout.includes('BEGIN CERTIFICATE')) return undefined;
  const base = path.join(dir, `${path.basename(pfx)}.best`);
  fs.writeFileSync(`${base}.crt`, leaf.stdout + (rest.status === 0 ? rest.stdout : ''), 'latin1');
  fs.writeFileSync(`${base}.key`, key.stdout, 'latin1');
  return { mode: 'pem-urls', path: `${base}.crt`, keyPath: `${base}.key` };
}

const SERVER = [
  'subjectAltName=DNS:localhost',
  'extendedKeyUsage=serverAuth',
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
];

/** Shell functions for the chains of issue 22, written as a user of `openssl` writes them: `root NAME
 *  SUBJECT [basicConstraints]`, `req NAME SUBJECT [key]`, `sign NAME ISSUER EXTENSIONS [x509 args]`. */
export const CHAIN_SHELL = [
  'set -eo pipefail',
  'root() { key=$KEY; [ -n "$key" ] || key=rsa:2048; bc=$3; [ -n "$bc" ] || bc=basicConstraints=critical,CA:TRUE',
  '  openssl req -x509 -newkey "$key" -nodes -keyout $1.key -out $1.crt -subj "$2" -days 60 -addext "$bc" \\',
  '    -addext keyUsage=critical,keyCertSign,cRLSign $4 2>/dev/null; }',
  'req() { key=$3; [ -n "$key" ] || key=rsa:2048',
  '  openssl req -new -newkey "$key" -nodes -keyout $1.key -out $1.csr -subj "$2" 2>/dev/null; }',
  'sign() { printf "%b" "$3" > $1.ext',
  '  openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -days 40 -out $1.crt -extfile $1.ext $4 2>/dev/null; }',
  'CA="basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n"',
  'LEAF="subjectAltName=DNS:localhost\\nextendedKeyUsage=serverAuth\\n"',
].join('\n');

export function makeInputs(work: string, judge: string): Input[] {
  const inputs: Input[] = [];
  const dir = (id: string) => {
    const d = path.join(work, id);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const add = (i: Input) => inputs.push(i);

  // ---- OpenSSL 3: a root and an intermediate, then leaves of every kind.
  const ca = dir('openssl-ca');
  const genkey = (file: string, spec: string[]) => ossl('genpkey', ...spec, '-out', file);
  genkey(path.join(ca, 'root.key'), ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  ossl(
    'req',
    '-x509',
    '-new',
    '-key',
    path.join(ca, 'root.key'),
    '-subj',
    '/CN=Matrix Root CA',
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    path.join(ca, 'root.crt'),
  );
  genkey(path.join(ca, 'inter.key'), ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  ossl(
    'req',
    '-new',
    '-key',
    path.join(ca, 'inter.key'),
    '-subj',
    '/CN=Matrix Intermediate CA',
    '-out',
    path.join(ca, 'inter.csr'),
  );
  const interExt = ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign'];
  const rootCa = { crt: path.join(ca, 'root.crt'), key: path.join(ca, 'root.key') };
  ossl(
    ...signArgs(path.join(ca, 'inter.csr'), rootCa, extfile(ca, 'inter', interExt), path.join(ca, 'inter.crt'), [
      '-days',
      '3650',
    ]),
  );
  const root = path.join(ca, 'root.crt');
  const chainPem = (...files: string[]) => files.map((f) => fs.readFileSync(f, 'utf8')).join('');

  const keySpecs: Record<string, string[]> = {
    'rsa:2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'rsa:3072': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
    'rsa:4096': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
    'rsa:1024': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
    'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    p521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
    secp256k1: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
    ed25519: ['-algorithm', 'ED25519'],
    ed448: ['-algorithm', 'ED448'],
  };
  /** A leaf signed by the intermediate; returns its directory with leaf.crt, leaf.key. */
  const leaf = (id: string, key: string, ext: string[] = SERVER, digest = 'sha256', subject = '/CN=localhost') => {
    const d = dir(id);
    genkey(path.join(d, 'leaf.key'), keySpecs[key]!);
    ossl('req', '-new', '-key', path.join(d, 'leaf.key'), '-subj', subject, '-out', path.join(d, 'leaf.csr'));
    const digestArgs = key.startsWith('ed') ? [] : [`-${digest}`];
    const interCa = { crt: path.join(ca, 'inter.crt'), key: path.join(ca, 'inter.key') };
    const leafExt = extfile(d, 'leaf', ext);
    ossl(
      ...signArgs(path.join(d, 'leaf.csr'), interCa, leafExt, path.join(d, 'leaf.crt'), ['-days', '60', ...digestArgs]),
    );
    return d;
  };
  /** A PEM source: tls.crt (leaf + intermediate [+ root]) and tls.key. */
  const pemSource = (
    id: string,
    what: string,
    key: string,
    opts: { ext?: string[]; digest?: string; withRoot?: boolean; noInter?: boolean; subject?: string } = {},
  ) => {
    const d = leaf(id, key, opts.ext, opts.digest, opts.subject);
    const src = path.join(d, 'src');
    fs.mkdirSync(src);
    fs.writeFileSync(
      path.join(src, 'tls.crt'),
      chainPem(
        path.join(d, 'leaf.crt'),
        ...(opts.noInter ? [] : [path.join(ca, 'inter.crt')]),
        ...(opts.withRoot ? [root] : []),
      ),
    );
    fs.copyFileSync(path.join(d, 'leaf.key'), path.join(src, 'tls.key'));
    add({
      id,
      producer: 'OpenSSL 3',
      what,
      source: src,
      anchor: root,
      best: { mode: 'pem-urls', path: path.join(src, 'tls.crt'), keyPath: path.join(src, 'tls.key') },
    });
    return d;
  };
  /** A self-signed PEM source made by `openssl req -x509`. */
  const selfSigned = (id: string, what: string, key: string, ext: string[] = SERVER) => {
    const d = dir(id);
    const src = path.join(d, 'src');
    fs.mkdirSync(src);
    genkey(path.join(src, 'tls.key'), keySpecs[key]!);
    ossl(
      'req',
      '-x509',
      '-new',
      '-key',
      path.join(src, 'tls.key'),
      '-subj',
      '/CN=localhost',
      '-days',
      '60',
      ...ext.flatMap((e) => ['-addext', e]),
      '-out',
      path.join(src, 'tls.crt'),
    );
    add({
      id,
      producer: 'OpenSSL 3',
      what,
      source: src,
      anchor: path.join(src, 'tls.crt'),
      best: { mode: 'pem-urls', path: path.join(src, 'tls.crt'), keyPath: path.join(src, 'tls.key') },
    });
  };

  pemSource('openssl-rsa2048', 'RSA 2048 leaf, intermediate, no root', 'rsa:2048');
  pemSource('openssl-rsa3072', 'RSA 3072 leaf', 'rsa:3072');
  pemSource('openssl-rsa4096', 'RSA 4096 leaf', 'rsa:4096');
  pemSource('openssl-rsa1024', 'RSA 1024 leaf (below OpenSSL 3 security level 2)', 'rsa:1024');
  pemSource('openssl-p256', 'ECDSA P-256 leaf', 'p256');
  pemSource('openssl-p384', 'ECDSA P-384 leaf', 'p384');
  pemSource('openssl-p521', 'ECDSA P-521 leaf', 'p521');
  pemSource('openssl-secp256k1', 'ECDSA secp256k1 leaf', 'secp256k1');
  pemSource('openssl-ed25519', 'Ed25519 leaf', 'ed25519');
  pemSource('openssl-ed448', 'Ed448 leaf', 'ed448');
  selfSigned('openssl-rsa-pss', 'RSA-PSS key (id-RSASSA-PSS), self-signed', 'rsa-pss');
  selfSigned('openssl-selfsigned', 'self-signed RSA 2048 with serverAuth', 'rsa:2048');
  selfSigned('openssl-selfsigned-bare', 'self-signed, SAN only (no key usage, no EKU, no basic constraints)', 'p256', [
    'subjectAltName=DNS:localhost',
  ]);
  pemSource('openssl-sha1', 'leaf signed with SHA-1', 'rsa:2048', { digest: 'sha1' });
  pemSource('openssl-sha384', 'leaf signed with SHA-384', 'p384', { digest: 'sha384' });
  pemSource('openssl-sha512', 'leaf signed with SHA-512', 'rsa:2048', { digest: 'sha512' });
  pemSource('openssl-with-root', 'leaf, intermediate and root in tls.crt', 'p256', { withRoot: true });
  pemSource('openssl-leaf-only', 'leaf alone, its intermediate missing', 'p256', { noInter: true });
  inputs.at(-1)!.issuerIsRoot = false;
  pemSource('openssl-ca-leaf', 'leaf with basicConstraints CA:TRUE', 'p256', {
    ext: [
      'subjectAltName=DNS:localhost',
      'extendedKeyUsage=serverAuth',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,digitalSignature,keyCertSign',
    ],
  });
  pemSource('openssl-clientauth', 'extended key usage clientAuth only', 'p256', {
    ext: ['subjectAltName=DNS:localhost', 'extendedKeyUsage=clientAuth'],
  });
  pemSource('openssl-no-eku', 'no extended key usage at all', 'p256', { ext: ['subjectAltName=DNS:localhost'] });
  pemSource('openssl-ku-certsign', 'key usage keyCertSign only (no digitalSignature)', 'p256', {
    ext: ['subjectAltName=DNS:localhost', 'extendedKeyUsage=serverAuth', 'keyUsage=critical,keyCertSign'],
  });
  pemSource('openssl-critical-unknown', 'a critical extension of an unknown OID', 'p256', {
    ext: [...SERVER, '1.3.6.1.4.1.55555.1=critical,ASN1:UTF8String:x'],
  });
  pemSource('openssl-noncritical-unknown', 'a non-critical extension of an unknown OID', 'p256', {
    ext: [...SERVER, '1.3.6.1.4.1.55555.1=ASN1:UTF8String:x'],
  });
  pemSource('openssl-wrong-name', 'SAN other.example only', 'p256', {
    ext: ['subjectAltName=DNS:other.example', 'extendedKeyUsage=serverAuth'],
  });
  pemSource('openssl-cn-only', 'CN=localhost and no subjectAltName', 'p256', { ext: ['extendedKeyUsage=serverAuth'] });
  pemSource('openssl-ip-only', 'SAN IP:127.0.0.1 only (no DNS name)', 'p256', {
    ext: ['subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth'],
  });
  {
    const d = pemSource('openssl-pkcs1', 'RSA key in PKCS#1 (BEGIN RSA PRIVATE KEY)', 'rsa:2048');
    ossl('rsa', '-in', path.join(d, 'leaf.key'), '-traditional', '-out', path.join(d, 'src', 'tls.key'));
  }
  {
    const d = pemSource('openssl-sec1', 'EC key in SEC 1 (BEGIN EC PRIVATE KEY)', 'p256');
    ossl('ec', '-in', path.join(d, 'leaf.key'), '-out', path.join(d, 'src', 'tls.key'));
  }
  {
    const d = pemSource('openssl-encrypted-key', 'PKCS#8 key encrypted with AES-256 (PBES2)', 'p256');
    ossl(
      'pkcs8',
      '-topk8',
      '-in',
      path.join(d, 'leaf.key'),
      '-v2',
      'aes-256-cbc',
      '-passout',
      `pass:${PW}`,
      '-out',
      path.join(d, 'src', 'tls.key'),
    );
    const i = inputs.at(-1)!;
    i.password = PW;
    i.best = { ...i.best!, password: PW };
  }
  // PKCS#12 files of OpenSSL 3, from one leaf and its intermediate.
  const pfxLeaf = leaf('openssl-pfx-leaf', 'rsa:2048');
  const pfx = (id: string, what: string, args: string[], password: string | undefined) => {
    const d = dir(id);
    const file = path.join(d, `${id}.pfx`);
    ossl(
      'pkcs12',
      '-export',
      '-in',
      path.join(pfxLeaf, 'leaf.crt'),
      '-inkey',
      path.join(pfxLeaf, 'leaf.key'),
      '-certfile',
      path.join(ca, 'inter.crt'),
      '-passout',
      `pass:${password ?? ''}`,
      ...args,
      '-out',
      file,
    );
    add({
      id,
      producer: 'OpenSSL 3',
      what,
      source: file,
      ...(password !== undefined ? { password } : {}),
      anchor: root,
      best: pemForm(d, file, password),
    });
  };
  pfx('openssl-pfx-modern', 'PKCS#12 of OpenSSL 3 defaults (PBES2 AES-256, HMAC-SHA256)', [], PW);
  pfx('openssl-pfx-legacy', 'PKCS#12 with -legacy (RC2-40 and 3DES, HMAC-SHA1)', ['-legacy'], PW);
  pfx(
    'openssl-pfx-3des',
    'PKCS#12 with PBE-SHA1-3DES for key and certificates',
    ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    PW,
  );
  pfx('openssl-pfx-nomac', 'PKCS#12 without a MAC', ['-nomac'], PW);
  pfx('openssl-pfx-empty-password', 'PKCS#12 with the empty password', [], '');
  pfx(
    'openssl-pfx-600k',
    'PKCS#12 with 600,000 KDF and MAC iterations (over .NET limits)',
    ['-iter', '600000', '-maciter'],
    PW,
  );

  // ---- dotnet dev-certs, with a HOME of its own (it keeps the certificate in the user's store).
  {
    const d = dir('dotnet-devcerts');
    const env = { ...process.env, HOME: d, DOTNET_CLI_HOME: d, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' };
    sh('dotnet', ['dev-certs', 'https', '-ep', path.join(d, 'devcert.pfx'), '-p', PW], { env });
    const pemDir = path.join(d, 'pem');
    fs.mkdirSync(pemDir);
    sh('dotnet', ['dev-certs', 'https', '-ep', path.join(pemDir, 'devcert.pem'), '--format', 'PEM', '--no-password'], {
      env,
    });
    const encDir = path.join(d, 'pem-encrypted');
    fs.mkdirSync(encDir);
    sh('dotnet', ['dev-certs', 'https', '-ep', path.join(encDir, 'devcert.pem'), '--format', 'PEM', '-p', PW], { env });
    add({
      id: 'devcerts-pfx',
      producer: 'dotnet dev-certs',
      what: 'the ASP.NET Core development certificate, PFX with a password',
      source: path.join(d, 'devcert.pfx'),
      password: PW,
      anchor: path.join(pemDir, 'devcert.pem'),
      best: pemForm(d, path.join(d, 'devcert.pfx'), PW),
      dev: true,
    });
    add({
      id: 'devcerts-pem',
      producer: 'dotnet dev-certs',
      what: 'the development certificate, --format PEM --no-password (devcert.pem + devcert.key)',
      source: path.join(pemDir, 'devcert.pem'),
      anchor: path.join(pemDir, 'devcert.pem'),
      best: { mode: 'pem-urls', path: path.join(pemDir, 'devcert.pem'), keyPath: path.join(pemDir, 'devcert.key') },
      dev: true,
    });
    add({
      id: 'devcerts-pem-encrypted',
      producer: 'dotnet dev-certs',
      what: 'the development certificate, --format PEM with an encrypted key',
      source: path.join(encDir, 'devcert.pem'),
      password: PW,
      anchor: path.join(pemDir, 'devcert.pem'),
      best: {
        mode: 'pem-urls',
        path: path.join(encDir, 'devcert.pem'),
        keyPath: path.join(encDir, 'devcert.key'),
        password: PW,
      },
      dev: true,
    });
  }

  // ---- .NET itself (the judge's producer).
  {
    const d = dir('dotnet-producer');
    sh('dotnet', [judge, 'produce', d]);
    const whats: Record<string, string> = {
      'dotnet-rsa-aes': 'X509Certificate2.ExportPkcs12(Pbes2Aes256Sha256), RSA',
      'dotnet-ecdsa-aes': 'X509Certificate2.ExportPkcs12(Pbes2Aes256Sha256), ECDSA P-256',
      'dotnet-rsa-3des': 'X509Certificate2.ExportPkcs12(Pkcs12TripleDesSha1), RSA',
      'dotnet-rsa-export': 'X509Certificate2.Export(X509ContentType.Pfx), RSA',
    };
    for (const [id, what] of Object.entries(whats)) {
      const file = path.join(d, `${id}.pfx`);
      const best = pemForm(d, file, 'judge-pw');
      add({ id, producer: '.NET 10', what, source: file, password: 'judge-pw', anchor: best!.path, best });
    }
  }

  // ---- Java keytool.
  {
    const d = dir('keytool');
    const gen = (file: string, alias: string, type: string, extra: string[] = []) =>
      sh('keytool', [
        ...extra,
        '-genkeypair',
        '-alias',
        alias,
        '-keyalg',
        'EC',
        '-groupname',
        'secp256r1',
        '-dname',
        'CN=localhost',
        '-ext',
        'SAN=dns:localhost',
        '-ext',
        'EKU=serverAuth',
        '-validity',
        '60',
        '-storetype',
        type,
        '-keystore',
        file,
        '-storepass',
        PW,
        '-keypass',
        PW,
      ]);
    const exportAnchor = (file: string, type: string, alias: string) => {
      const out = `${file}.${alias}.crt`;
      fs.writeFileSync(
        out,
        sh('keytool', [
          '-exportcert',
          '-rfc',
          '-alias',
          alias,
          '-keystore',
          file,
          '-storetype',
          type,
          '-storepass',
          PW,
        ]),
      );
      return out;
    };
    const p12 = path.join(d, 'keytool.p12');
    gen(p12, 'server', 'PKCS12');
    add({
      id: 'keytool-pkcs12',
      producer: 'Java keytool 17',
      what: 'PKCS12 keystore, keytool defaults (PBES2 AES-256, HMAC-SHA256)',
      source: p12,
      password: PW,
      anchor: exportAnchor(p12, 'PKCS12', 'server'),
      best: pemForm(d, p12, PW),
    });
    const legacy = path.join(d, 'keytool-legacy.p12');
    gen(legacy, 'server', 'PKCS12', ['-J-Dkeystore.pkcs12.legacy']);
    add({
      id: 'keytool-pkcs12-legacy',
      producer: 'Java keytool 17',
      what: 'PKCS12 keystore with -J-Dkeystore.pkcs12.legacy (RC2-40, 3DES)',
      source: legacy,
      password: PW,
      anchor: exportAnchor(legacy, 'PKCS12', 'server'),
      best: pemForm(d, legacy, PW),
    });
    const jks = path.join(d, 'keytool.jks');
    gen(jks, 'server', 'JKS');
    add({
      id: 'keytool-jks',
      producer: 'Java keytool 17',
      what: 'JKS keystore (magic FEEDFEED)',
      source: jks,
      password: PW,
      anchor: exportAnchor(jks, 'JKS', 'server'),
    });
    const two = path.join(d, 'keytool-two.p12');
    gen(two, 'first', 'PKCS12');
    gen(two, 'second', 'PKCS12');
    add({
      id: 'keytool-two-entries',
      producer: 'Java keytool 17',
      what: 'PKCS12 keystore with two key entries (judged as Kestrel loads the file)',
      source: two,
      password: PW,
      anchor: exportAnchor(two, 'PKCS12', 'first'),
      best: { mode: 'pfx-urls', path: two, password: PW },
    });
  }

  // ---- Python cryptography.
  {
    const d = dir('python');
    const script = `
import datetime, sys
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12, PrivateFormat
d, pw = sys.argv[1], sys.argv[2].encode()
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
  .serial_number(x509.random_serial_number()).not_valid_before(now - \
datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=60))
  .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
  .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
  .sign(key, hashes.SHA256()))
open(f"{d}/cert.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(f"{d}/best.p12", "wb").write(pkcs12.serialize_key_and_certificates(b"server", key, cert, None, \
serialization.BestAvailableEncryption(pw)))
open(f"{d}/none.p12", "wb").write(pkcs12.serialize_key_and_certificates(b"server", key, cert, None, \
serialization.NoEncryption()))
enc = PrivateFormat.PKCS12.encryption_builder().kdf_rounds(50000) \\
  .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256()).build(pw)
open(f"{d}/pbes2.p12", "wb").write(pkcs12.serialize_key_and_certificates(b"server", key, cert, None, enc))
open(f"{d}/tls.key", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, \
serialization.NoEncryption()))
`;
    sh(process.env.MATRIX_PYTHON ?? 'python3', ['-c', script, d, PW]);
    const anchor = path.join(d, 'cert.pem');
    add({
      id: 'python-best',
      producer: 'Python cryptography',
      what: 'pkcs12 with BestAvailableEncryption',
      source: path.join(d, 'best.p12'),
      password: PW,
      anchor,
      best: pemForm(d, path.join(d, 'best.p12'), PW),
    });
    add({
      id: 'python-none',
      producer: 'Python cryptography',
      what: 'pkcs12 with NoEncryption (no password, no MAC)',
      source: path.join(d, 'none.p12'),
      anchor,
      best: pemForm(d, path.join(d, 'none.p12'), undefined),
    });
    add({
      id: 'python-pbes2',
      producer: 'Python cryptography',
      what: 'pkcs12 by a custom builder: PBES2 SHA-256 AES-256, HMAC-SHA256, 50,000 rounds',
      source: path.join(d, 'pbes2.p12'),
      password: PW,
      anchor,
      best: pemForm(d, path.join(d, 'pbes2.p12'), PW),
    });
    const src = path.join(d, 'pem');
    fs.mkdirSync(src);
    fs.copyFileSync(anchor, path.join(src, 'tls.crt'));
    fs.copyFileSync(path.join(d, 'tls.key'), path.join(src, 'tls.key'));
    add({
      id: 'python-pem',
      producer: 'Python cryptography',
      what: 'PEM certificate and PKCS#8 key',
      source: src,
      anchor,
      best: { mode: 'pem-urls', path: path.join(src, 'tls.crt'), keyPath: path.join(src, 'tls.key') },
    });
  }

  // ---- GnuTLS certtool.
  {
    const d = dir('certtool');
    fs.writeFileSync(
      path.join(d, 'tmpl'),
      'cn = "localhost"\ndns_name = "localhost"\ntls_www_server\nsigning_key\nencryption_key\nexpiration_days = 60\n',
    );
    sh('certtool', ['--generate-privkey', '--key-type', 'ecdsa', '--outfile', path.join(d, 'tls.key')]);
    sh('certtool', [
      '--generate-self-signed',
      '--load-privkey',
      path.join(d, 'tls.key'),
      '--template',
      path.join(d, 'tmpl'),
      '--outfile',
      path.join(d, 'tls.crt'),
    ]);
    const src = path.join(d, 'pem');
    fs.mkdirSync(src);
    fs.copyFileSync(path.join(d, 'tls.crt'), path.join(src, 'tls.crt'));
    fs.copyFileSync(path.join(d, 'tls.key'), path.join(src, 'tls.key'));
    // Kestrel is given the key as OpenSSL re-encodes it: in one CI run .NET refused a certtool EC key
    // as it was ("ASN1 corrupted data"), where OpenSSL and Node read it; the sidecar publishes the key
    // re-encoded as PKCS#8, which Kestrel loads (the PEM column of this row).
    ossl('pkey', '-in', path.join(d, 'tls.key'), '-out', path.join(d, 'tls.key.openssl'));
    add({
      id: 'certtool-pem',
      producer: 'GnuTLS certtool',
      what: 'self-signed ECDSA certificate and key (PEM)',
      source: src,
      anchor: path.join(d, 'tls.crt'),
      best: { mode: 'pem-urls', path: path.join(src, 'tls.crt'), keyPath: path.join(d, 'tls.key.openssl') },
    });
    const p12 = path.join(d, 'certtool.p12');
    sh('certtool', [
      '--to-p12',
      '--load-privkey',
      path.join(d, 'tls.key'),
      '--load-certificate',
      path.join(d, 'tls.crt'),
      '--p12-name',
      'server',
      '--password',
      PW,
      '--outder',
      '--outfile',
      p12,
    ]);
    add({
      id: 'certtool-p12',
      producer: 'GnuTLS certtool',
      what: 'PKCS#12 of certtool --to-p12 (its default encryption)',
      source: p12,
      password: PW,
      anchor: path.join(d, 'tls.crt'),
      best: pemForm(d, p12, PW),
    });
  }

  // ---- mkcert, with a CAROOT of its own.
  {
    const d = dir('mkcert');
    const env = { ...process.env, CAROOT: path.join(d, 'caroot'), HOME: d };
    sh(
      'mkcert',
      ['-cert-file', path.join(d, 'localhost.pem'), '-key-file', path.join(d, 'localhost-key.pem'), 'localhost'],
      { env, cwd: d },
    );
    sh('mkcert', ['-pkcs12', '-p12-file', path.join(d, 'localhost.p12'), 'localhost'], { env, cwd: d });
    const anchor = path.join(d, 'caroot', 'rootCA.pem');
    add({
      id: 'mkcert-pem',
      producer: 'mkcert',
      what: 'localhost.pem + localhost-key.pem, issued by its local CA (not in the source)',
      source: path.join(d, 'localhost.pem'),
      anchor,
      best: { mode: 'pem-urls', path: path.join(d, 'localhost.pem'), keyPath: path.join(d, 'localhost-key.pem') },
      issuerIsRoot: true,
    });
    add({
      id: 'mkcert-p12',
      producer: 'mkcert',
      what: 'mkcert -pkcs12 (password "changeit", RC2 and 3DES)',
      source: path.join(d, 'localhost.p12'),
      password: 'changeit',
      anchor,
      best: pemForm(d, path.join(d, 'localhost.p12'), 'changeit'),
    });
  }
  // ---- Issue 22: chains whose issuers, purposes and anchors OpenSSL's verifier judges, and Kestrel's
  // own rules. Each is a Kubernetes TLS secret (tls.crt, tls.key, ca.crt) made by a shell script of
  // openssl commands; clients trust ca.crt; Kestrel is given tls.crt and tls.key as they are.
  // `served`: a file the script writes beside src/ with tls.crt's certificates in the order `init` publishes
  // them (the leaf first), for a source whose own order Kestrel cannot take as it is.
  const scripted = (id: string, what: string, script: string, producer = 'OpenSSL 3', served?: string) => {
    const src = path.join(dir(id), 'src');
    fs.mkdirSync(src);
    sh('bash', ['-c', `${CHAIN_SHELL}\n${script}\nrm -f *.csr *.ext *.srl`], { cwd: src });
    for (const f of fs.readdirSync(src))
      if (!['tls.crt', 'tls.key', 'ca.crt'].includes(f)) fs.rmSync(path.join(src, f));
    add({
      id,
      producer,
      what,
      source: src,
      anchor: path.join(src, 'ca.crt'),
      best: {
        mode: 'pem-urls',
        path: served ? path.join(dir(id), served) : path.join(src, 'tls.crt'),
        keyPath: path.join(src, 'tls.key'),
      },
    });
  };
  const leafOf = (issuer: string, ext = '$LEAF', key = 'rsa:2048') =>
    `req tls /CN=localhost ${key}; sign tls ${issuer} "${ext}"`;
  scripted(
    'v1-selfsigned',
    'version-1 self-signed certificate (openssl genrsa, req -new, x509 -req -signkey)',
    'openssl genrsa -out tls.key 2048 2>/dev/null; openssl req -new -key tls.key -subj /CN=localhost -out r.csr; ' +
      'openssl x509 -req -in r.csr -signkey tls.key -days 30 -out tls.crt 2>/dev/null; cp tls.crt ca.crt',
  );
  scripted(
    'empty-subject',
    'leaf with an empty subject and a critical subjectAltName',
    `root ca "/CN=Empty Subject Root"; req tls /; sign tls ca "subjectAltName=critical,DNS:localhost\\n"`,
  );
  scripted(
    'inter-ca-false',
    'intermediate with basicConstraints CA:FALSE',
    `root ca /CN=R; req i /CN=I; sign i ca "basicConstraints=critical,CA:FALSE\\n"; ` +
      `${leafOf('i')}; cat i.crt >> tls.crt`,
  );
  scripted(
    'inter-v1',
    'version-1 intermediate (no basicConstraints)',
    `root ca /CN=R; req i /CN=I; openssl x509 -req -in i.csr -CA ca.crt -CAkey ca.key -days 40 -out i.crt 2>/dev/null
     ${leafOf('i')}; cat i.crt >> tls.crt`,
  );
  scripted(
    'pathlen-exceeded',
    'root with pathlen:0 above an intermediate',
    `root ca /CN=R basicConstraints=critical,CA:TRUE,pathlen:0; req i /CN=I; sign i ca "$CA"; ${leafOf('i')}
     cat i.crt >> tls.crt`,
  );
  scripted(
    'name-constraints',
    'intermediate with nameConstraints permitted DNS:.example.com over a leaf for localhost',
    `root ca /CN=R; req i /CN=I; sign i ca "$CA""nameConstraints=critical,permitted;DNS:.example.com\\n"
     ${leafOf('i')}; cat i.crt >> tls.crt`,
  );
  scripted('weak-root', 'root (ca.crt) with an RSA 1024 key', `KEY=rsa:1024 root ca /CN=R; ${leafOf('ca')}`);
  scripted(
    'any-eku',
    'leaf extendedKeyUsage anyExtendedKeyUsage alone',
    `root ca /CN=R; ${leafOf('ca', 'subjectAltName=DNS:localhost\\nextendedKeyUsage=anyExtendedKeyUsage\\n')}`,
  );
  scripted(
    'nscerttype-client',
    'leaf with a Netscape cert type of client only',
    `root ca /CN=R; ${leafOf('ca', '$LEAF""nsCertType=client\\n')}`,
  );
  scripted(
    'ku-keyencipherment',
    'RSA leaf with key usage keyEncipherment only',
    `root ca /CN=R; ${leafOf('ca', '$LEAF""keyUsage=critical,keyEncipherment\\n')}`,
  );
  scripted(
    'ku-keyagreement',
    'RSA leaf with key usage keyAgreement only',
    `root ca /CN=R; ${leafOf('ca', '$LEAF""keyUsage=critical,keyAgreement\\n')}`,
  );
  scripted(
    'issuer-eku-codesigning',
    'root whose extendedKeyUsage is codeSigning',
    `root ca /CN=R basicConstraints=critical,CA:TRUE "-addext extendedKeyUsage=codeSigning"; ${leafOf('ca')}`,
  );
  scripted(
    'ca-is-intermediate',
    'Kubernetes secret whose ca.crt is the intermediate, not the root',
    `root r /CN=R; req ca /CN=I; sign ca r "$CA"; ${leafOf('ca')}; cat ca.crt >> tls.crt; rm r.crt`,
  );
  scripted(
    'root-rollover',
    'root rollover: the new root cross-signed by the old one in tls.crt, its self-signed form as ca.crt',
    `root old "/CN=Old Root"; root ca "/CN=New Root"; openssl x509 -x509toreq -in ca.crt -signkey ca.key -out \
x.csr 2>/dev/null
     sign x old "$CA"; req i /CN=I; sign i ca "$CA"; ${leafOf('i')}; cat i.crt x.crt >> tls.crt; rm old.crt x.crt`,
  );
  scripted(
    'stranger-in-bundle',
    'an unrelated self-signed CA after the leaf in tls.crt',
    `root ca /CN=R; root s /CN=Stranger; ${leafOf('ca')}; cat s.crt >> tls.crt; rm s.crt`,
  );
  scripted(
    'leaf-not-first',
    'tls.crt with the intermediate before the leaf',
    `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${leafOf('i')}; cat tls.crt i.crt > ../served.crt; ` +
      'cat i.crt tls.crt > both; mv both tls.crt',
    'OpenSSL 3',
    'served.crt',
  );
  scripted(
    'missing-intermediate',
    'tls.crt without the intermediate, ca.crt the root',
    `root ca /CN=R; req i /CN=I; sign i ca "$CA"; ${leafOf('i')}`,
  );

  return inputs;
}
