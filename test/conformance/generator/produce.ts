// Makes a generated case real, with OpenSSL 3's own commands: `req -x509` (with `-CA` for an issued
// certificate) for version 3, and the tutorial's `req -new` + `x509 -req` for version 1, each with a
// config file holding the case's extensions. Keys come from a pool made once by `genpkey` (keys are
// not a dimension of their own beyond type and size, and RSA 3072 costs a second each to make).
// The source directory is a Kubernetes TLS secret: tls.crt (the bundle), tls.key, ca.crt (the anchor).
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type CaseSpec, type CertSpec, KEY_TYPES, type KeyType } from './space.js';

const run = promisify(execFile);
const openssl = (args: string[]) => run('openssl', args, { maxBuffer: 1 << 20 });

const GENPKEY: Record<KeyType, string[]> = {
  rsa1024: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:named_curve'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-pkeyopt', 'ec_param_enc:named_curve'],
  p192: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime192v1', '-pkeyopt', 'ec_param_enc:named_curve'],
};
/** Each role has its own key, so that no two certificates of a case share one by accident. */
const ROLE_SLOT = ['root', 'inter1', 'inter2', 'leaf', 'oldroot', 'stranger', 'strangerleaf', 'impostor'];

/** Runs `jobs` with at most `width` at a time. */
export async function pool<T, R>(items: T[], width: number, job: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** The key pool (PKCS#8 PEM files), made once per directory. */
export async function keyPool(dir: string): Promise<(type: KeyType, role: string) => string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = (type: KeyType, slot: number) => path.join(dir, `${type}-${slot}.key`);
  const todo = KEY_TYPES.flatMap((t) => ROLE_SLOT.map((_, slot) => ({ t, slot }))).filter(
    ({ t, slot }) => !fs.existsSync(file(t, slot)),
  );
  await pool(todo, 2, async ({ t, slot }) => {
    const tmp = `${file(t, slot)}.${process.pid}.tmp`;
    await openssl(['genpkey', ...GENPKEY[t], '-out', tmp]);
    fs.renameSync(tmp, file(t, slot));
  });
  return (type, role) => file(type, ROLE_SLOT.indexOf(role));
}

export interface Produced {
  /** The source directory: tls.crt, tls.key, ca.crt. */
  dir: string;
  /** Why OpenSSL could not make it, when it could not. */
  error?: string;
  /** tls.crt in the order `init` publishes it, for Kestrel. */
  served?: string;
}

function configFile(dir: string, c: CertSpec): string {
  const f = path.join(dir, `${c.role}.cnf`);
  fs.writeFileSync(f, ['[req]', 'distinguished_name=dn', 'prompt=no', '[dn]', '[v3]', ...c.ext, ''].join('\n'));
  return f;
}

async function issue(dir: string, spec: CaseSpec, c: CertSpec, keyFor: (role: string) => string): Promise<void> {
  const byRole = (role: string) => spec.certs.find((x) => x.role === role)!;
  const subject = byRole(c.keyOf).subject;
  const key = keyFor(c.keyOf);
  const out = path.join(dir, `${c.role}.crt`);
  const selfSigned = c.issuer === c.role;
  const issuerArgs = selfSigned ? [] : ['-CA', path.join(dir, `${c.issuer}.crt`), '-CAkey', keyFor(c.issuer)];
  const days = c.role.includes('leaf') ? '90' : '3650';
  const serial = `0x${crypto.randomBytes(12).toString('hex')}`;
  const cnf = configFile(dir, c);
  // The key, the subject and the extensions are given alike to `req -x509` (version 3) and to `req` (version 1).
  const named = ['-key', key, '-subj', subject, '-config', cnf];
  const validity = ['-days', days, `-${c.digest}`, '-set_serial', serial, '-out', out];
  if (c.version === 3) {
    await openssl(['req', '-x509', '-new', ...named, '-extensions', 'v3', ...issuerArgs, ...validity]);
    return;
  }
  const csr = path.join(dir, `${c.role}.csr`);
  await openssl(['req', '-new', ...named, '-out', csr]);
  const signer = selfSigned ? ['-signkey', key] : issuerArgs;
  await openssl(['x509', '-req', '-in', csr, ...signer, ...validity]);
}

/** The certificates, each after its issuer. */
function issuanceOrder(spec: CaseSpec): CertSpec[] {
  const done = new Set<string>();
  const order: CertSpec[] = [];
  while (order.length < spec.certs.length) {
    const next = spec.certs.find((c) => !done.has(c.role) && (c.issuer === c.role || done.has(c.issuer)));
    if (!next) throw new Error(`seed ${spec.seed}: a certificate whose issuer is never issued`);
    done.add(next.role);
    order.push(next);
  }
  return order;
}

/** Writes the case into `dir`; the key of a role is the pool's key of the type its own certificate names. */
export async function produce(
  root: string,
  spec: CaseSpec,
  keys: (type: KeyType, role: string) => string,
): Promise<Produced> {
  const dir = path.join(root, String(spec.seed));
  const work = path.join(dir, 'work');
  fs.mkdirSync(work, { recursive: true });
  const source = path.join(dir, 'source');
  fs.mkdirSync(source, { recursive: true });
  const typeOf = (role: string) => spec.certs.find((x) => x.role === role)!.key;
  const keyFor = (role: string) => keys(typeOf(role), role);
  try {
    for (const c of issuanceOrder(spec)) await issue(work, spec, c, keyFor);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { dir: source, error: (e.stderr || e.message).trim().split('\n')[0] ?? 'openssl failed' };
  }
  const pem = (role: string) => fs.readFileSync(path.join(work, `${role}.crt`), 'utf8');
  fs.writeFileSync(path.join(source, 'tls.crt'), spec.bundle.map(pem).join(''));
  fs.copyFileSync(keyFor('leaf'), path.join(source, 'tls.key'));
  fs.writeFileSync(path.join(source, 'ca.crt'), pem(spec.anchor));
  // What Kestrel is judged on: the certificates of tls.crt in the order `init` publishes them, the leaf first
  // (Kestrel pairs the key with the first certificate of its Path; `init` always writes the leaf first and says
  // LEAF_NOT_FIRST when the source did not). Only the order differs: strangers and duplicates stay.
  const served = path.join(dir, 'served.crt');
  fs.writeFileSync(served, ['leaf', ...spec.bundle.filter((b) => b !== 'leaf')].map(pem).join(''));
  return { dir: source, served };
}
