// Reads a PKCS#12 (PFX) file: bytes and a password in, DER certificates and PKCS#8 keys out. No I/O.
// node-forge parses the ASN.1 envelope; every KDF, MAC and cipher but RC2 runs natively (see pbe.ts).
// Order matters for hostile files: parse with a depth cap, count bags, read every visible iteration
// count, and only then run the first KDF.
import {
  Class,
  Type,
  explicit,
  octets,
  oid,
  parseDer,
  seq,
  uint,
  algorithm,
  toDer,
  corrupt,
  type Asn1,
  type AlgorithmIdentifier,
} from '../pkix/asn1.js';
import { KcsError, raise } from '../findings.js';
import { MAX_PFX_BAGS } from '../limits.js';
import { messages } from '../messages/index.js';
import { ATTR, BAG, CONTENT_TYPE } from '../pkix/oids.js';
import {
  BadDecrypt,
  IterationBudget,
  describeEncryption,
  isModernEncryption,
  iterationsOf,
  pbeDecrypt,
  unsupported,
} from '../pkix/pbe.js';
import { readMac, type MacInfo } from '../pkix/mac.js';

const CT = CONTENT_TYPE;
const X509_CERT_TYPE = ATTR.x509Certificate;

export interface Pkcs12Info {
  mac: MacInfo | null;
  /** The encryption of each encrypted part, e.g. "PBES2 AES-256-CBC" or "PBE-SHA1-RC2-40". */
  encryption: string[];
  /** True when some part uses an algorithm that OpenSSL 3 refuses without its legacy provider. */
  legacy: boolean;
  maxIterations: number;
  minIterations: number;
  totalIterations: number;
  /** The iterations of the key derivations that decrypt (the encrypted parts and the shrouded keys), without
   *  the MAC's: what .NET charges against Pkcs12LoaderLimits.TotalKdfIterationLimit. Its loader checks the MAC
   *  against MacIterationLimit alone and starts the total after it (dotnet/runtime,
   *  X509CertificateLoader.Pkcs12.cs: `workRemaining = loaderLimits.TotalKdfIterationLimit` after VerifyMac). */
  decryptIterations: number;
  /** True when it has the modern profile's shape: a HMAC-SHA256 MAC, the key and the certificates
   *  encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), and no bags besides one key and certificates. */
  modernShape: boolean;
  /** Which password opened it: the one given, the empty password, or none at all. */
  opened: 'password' | 'empty' | 'none';
}

export interface Pkcs12Contents {
  certs: Buffer[];
  /** Each certificate's friendlyName (alias), in the order of certs. */
  names: (string | undefined)[];
  keys: Buffer[];
  info: Pkcs12Info;
}

function passwordRequired(): KcsError {
  return raise(messages.PASSWORD_REQUIRED.pfx());
}
function passwordWrong(detail: string): KcsError {
  return raise(messages.PASSWORD_WRONG.pfx({ detail }));
}

interface Encrypted {
  alg: AlgorithmIdentifier;
  data: Buffer;
  what: string;
}

interface Walk {
  certs: Buffer[];
  /** Each certificate's friendlyName attribute (a keystore's alias), when it has one. */
  names: (string | undefined)[];
  keys: Buffer[];
  shrouded: Encrypted[];
  bags: number;
  /** Bags the modern profile does not write: certificates outside an encrypted part, nested
   *  SafeContents, CRL and secret bags. */
  unusual: number;
}

/** Walks SafeContents, collecting plain bags and the shrouded keys to decrypt later. */
function walkSafeContents(
  contents: Buffer | Asn1,
  walk: Walk,
  budget: IterationBudget,
  encrypted: boolean,
  depth = 0,
): void {
  const bags = seq(Buffer.isBuffer(contents) ? parseDer(contents, 'a SafeContents') : contents, 'SafeContents');
  countBags(walk, bags.length);
  walkBags(bags, walk, budget, encrypted, depth);
}

/** Counts `n` more bags against MAX_PFX_BAGS, before any of them is decoded: at the top level and in
 *  nested SafeContents alike, too many is FILE_TOO_LARGE (the file is well formed, only too big). */
function countBags(walk: Walk, n: number): void {
  walk.bags += n;
  if (walk.bags > MAX_PFX_BAGS) throw raise(messages.FILE_TOO_LARGE.bags());
}

const FRIENDLY_NAME = ATTR.friendlyName;

/** The friendlyName attribute of a safe bag (a BMPString), if it has one. */
function friendlyName(bag: Asn1): string | undefined {
  const attrs = (bag.value as Asn1[])[2];
  if (!attrs || !Array.isArray(attrs.value)) return undefined;
  for (const attr of attrs.value) {
    const [id, values] = Array.isArray(attr.value) ? attr.value : [];
    if (!id || id.type !== Type.OID || asn1OidIs(id, FRIENDLY_NAME) === false) continue;
    const v = Array.isArray(values?.value) ? values.value[0] : undefined;
    // node-forge decodes a BMPString into its characters already.
    if (v && v.type === Type.BMPSTRING && typeof v.value === 'string') return v.value;
  }
  return undefined;
}

function asn1OidIs(node: Asn1, want: string): boolean {
  try {
    return oid(node, 'an attribute') === want;
  } catch {
    return false;
  }
}

function walkBags(bags: Asn1[], walk: Walk, budget: IterationBudget, encrypted: boolean, depth: number): void {
  for (const bag of bags) {
    const [idNode, valueNode] = seq(bag, 'a safe bag', 2);
    const bagId = oid(idNode, 'the bag type');
    const value = explicit(valueNode, 0, 'the bag value');
    if (bagId === BAG.key) walk.keys.push(toDer(value));
    else if (bagId === BAG.shroudedKey) {
      const [algNode, dataNode] = seq(value, 'an encrypted private key', 2);
      const alg = algorithm(algNode, 'the key encryption');
      budget.charge(iterationsOf(alg, 'the private key'), 'the private key');
      walk.shrouded.push({ alg, data: octets(dataNode, 'the encrypted key'), what: 'the private key' });
    } else if (bagId === BAG.cert) {
      const [typeNode, certNode] = seq(value, 'a certificate bag', 2);
      if (oid(typeNode, 'the certificate type') !== X509_CERT_TYPE) {
        walk.unusual++;
        continue; // SDSI certificates: not for TLS
      }
      walk.certs.push(octets(explicit(certNode, 0, 'the certificate'), 'the certificate'));
      walk.names.push(friendlyName(bag));
      if (!encrypted) walk.unusual++;
    } else if (bagId === BAG.safeContents) {
      if (depth > 4) throw corrupt('safe contents are nested more than 4 deep');
      const inner = seq(value, 'nested SafeContents');
      countBags(walk, inner.length);
      walk.unusual++;
      walkBags(inner, walk, budget, encrypted, depth + 1);
    } else walk.unusual++; // CRL and secret bags carry nothing Kestrel uses.
  }
}

/** Above this many MAC iterations, OpenSSL checks the MAC. The PKCS#12 KDF is iterated hashing,
 *  which Node exposes only one hash at a time: ~1.4 µs a round from JavaScript, so 600,000 rounds
 *  (GnuTLS's default) take 0.8 s there, and a fraction of that in OpenSSL. */
const NATIVE_MAC_ABOVE = 20_000;
const WRONG = Symbol('wrong');

/**
 * Lets OpenSSL verify the MAC through Node's TLS, which parses the whole PFX natively. Returns the
 * candidate that opened it, WRONG when every candidate failed the MAC, or undefined when OpenSSL
 * cannot read the file at all (RC2 needs its legacy provider): then our own MAC code decides.
 */
function nativeMacCheck(pfx: Buffer, candidates: (string | null)[]): string | null | typeof WRONG | undefined {
  for (const c of candidates) {
    try {
      // Loaded here, not at start: node:tls pulls in the socket stack, ~15 ms that most files never need.
      process.getBuiltinModule('node:tls').createSecureContext({ pfx, passphrase: c ?? '' });
      return c;
    } catch (err) {
      if (!/mac verify failure/i.test(String((err as Error).message))) return undefined;
    }
  }
  return WRONG;
}

/**
 * Opens a PFX. `password` is what the user gave: a string, or undefined when nothing was given, in
 * which case the empty password and "no password" are tried, as OpenSSL and .NET do.
 * Over 60 lines: the PFX's layers (PFX, MAC, authSafe, bags) are opened in order, each with the
 * finding its failure is; the bag walk and the attribute readers are functions of their own.
 */
export function parsePkcs12(bytes: Buffer, password: string | undefined): Pkcs12Contents {
  const budget = new IterationBudget();
  const [versionNode, authSafe, macData] = seq(parseDer(bytes, 'the PFX'), 'the PFX', 2);
  const version = uint(versionNode, 'the PFX version');
  if (version !== 3) throw corrupt(`the PFX version is ${version}, expected 3`);
  const [typeNode, contentNode] = seq(authSafe, 'the PFX content', 1);
  const contentType = oid(typeNode, 'the PFX content type');
  if (contentType === CT.signedData)
    throw unsupported('the PFX uses public-key integrity (signedData), which Kestrel cannot load');
  if (contentType !== CT.data) throw corrupt(`the PFX content type is ${contentType}, expected data`);
  const authSafeBytes = octets(explicit(contentNode, 0, 'the PFX content'), 'the PFX content');

  // (1) Read everything visible without running a KDF: the MAC, each encrypted part, each shrouded key.
  const mac = macData ? readMac(macData) : null;
  if (mac) budget.charge(mac.info.iterations, 'the MAC');
  const walk: Walk = { certs: [], names: [], keys: [], shrouded: [], bags: 0, unusual: 0 };
  const encryptedParts: Encrypted[] = [];
  const infos = seq(parseDer(authSafeBytes, 'the AuthenticatedSafe'), 'the AuthenticatedSafe');
  if (infos.length > MAX_PFX_BAGS) throw corrupt(`the PFX holds ${infos.length} content parts`);
  for (const ci of infos) {
    const [ctNode, cNode] = seq(ci, 'a content part', 1);
    const ct = oid(ctNode, 'the content type');
    if (ct === CT.data) walkSafeContents(octets(explicit(cNode, 0, 'a data part'), 'a data part'), walk, budget, false);
    else if (ct === CT.encryptedData) {
      const [, eci] = seq(explicit(cNode, 0, 'an encrypted part'), 'EncryptedData', 2);
      const [, algNode, dataNode] = seq(eci, 'EncryptedContentInfo', 3);
      const alg = algorithm(algNode, 'the certificate encryption');
      budget.charge(iterationsOf(alg, 'the certificates'), 'the certificates');
      encryptedParts.push({
        alg,
        data: octets(dataNode, 'the encrypted certificates', Class.CONTEXT_SPECIFIC, 0),
        what: 'the certificates',
      });
    } else if (ct === CT.envelopedData)
      throw unsupported('the PFX uses public-key privacy (envelopedData), which Kestrel cannot load');
    else throw corrupt(`the PFX holds a content part of unknown type ${ct}`);
  }

  // (2) Find the password. With a MAC it decides; without one, the first encrypted part does.
  const candidates: (string | null)[] = password === undefined || password === '' ? ['', null] : [password];
  let opened: string | null | undefined;
  if (mac) {
    const native = mac.info.iterations > NATIVE_MAC_ABOVE ? nativeMacCheck(bytes, candidates) : undefined;
    opened =
      native === undefined
        ? candidates.find((c) => mac.verify(c, authSafeBytes, budget))
        : native === WRONG
          ? undefined
          : native;
    if (opened === undefined) {
      if (password === undefined) throw passwordRequired();
      throw passwordWrong('the PKCS#12 integrity check failed');
    }
  }

  // (3) Decrypt. A part that fails to decrypt after a good MAC is corrupt; without a MAC it means a wrong password.
  const decrypt = (part: Encrypted): { plain: Buffer; node: Asn1 } => {
    const order = opened === undefined ? candidates : [opened, ...candidates.filter((c) => c !== opened)];
    for (const c of order) {
      try {
        const plain = pbeDecrypt(part.alg, part.data, c, budget, part.what);
        const node = parseDer(plain, part.what); // a wrong key decrypts to garbage with valid padding 1 time in 256
        opened ??= c;
        return { plain, node };
      } catch (err) {
        if (!(err instanceof BadDecrypt) && !(err instanceof KcsError && err.code === 'FILE_CORRUPT')) throw err;
      }
    }
    if (mac) throw corrupt(`${part.what} cannot be decrypted although the password matched`);
    if (password === undefined) throw passwordRequired();
    throw passwordWrong(`${part.what} did not decrypt`);
  };
  for (const part of encryptedParts) walkSafeContents(decrypt(part).node, walk, budget, true);
  const keys = [...walk.keys, ...walk.shrouded.map((k) => decrypt(k).plain)];

  const enc = [...encryptedParts, ...walk.shrouded].map((p) => describeEncryption(p.alg));
  return {
    certs: walk.certs,
    names: walk.names,
    keys,
    info: {
      mac: mac?.info ?? null,
      encryption: [...new Set(enc.map((e) => e.label))],
      legacy: enc.some((e) => e.legacy),
      maxIterations: budget.max,
      minIterations: budget.min,
      totalIterations: budget.total,
      decryptIterations: budget.total - (mac?.info.iterations ?? 0),
      modernShape:
        mac?.info.modern === true &&
        walk.keys.length === 0 &&
        walk.shrouded.length === 1 &&
        walk.unusual === 0 &&
        [...encryptedParts, ...walk.shrouded].every((p) => isModernEncryption(p.alg)),
      opened: opened === undefined || opened === null ? 'none' : opened === '' ? 'empty' : 'password',
    },
  };
}
