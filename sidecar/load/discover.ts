// Decides which files in the source are the certificate and the key. Known layouts first
// (Kubernetes TLS secret, Let's Encrypt), then by content. Two candidates is an error, never a guess.
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import { ioError, sourceRoots } from './files.js';

export type Layout = 'single-file' | 'kubernetes-tls' | 'letsencrypt' | 'pfx' | 'pem' | 'chosen';

/** A candidate file (by its name) that the layout does not read, and why. */
export interface Skipped {
  file: string;
  why: string;
}

export interface Discovery {
  layout: Layout;
  /** The PFX to open, when the source is a PFX. */
  pfx?: string;
  /** PEM or DER files to read, in order; the certificate and key are matched by content. */
  pem: string[];
  /** Files whose certificates are trust anchors (a Kubernetes secret's ca.crt). */
  ca: string[];
  /** The source directory, when the source is a directory. */
  root?: string;
  /** The directories its files may resolve into (files.ts sourceRoots). */
  roots?: string[];
  /** Candidates by name that the layout does not read (load/skipped.ts reports them). */
  skipped: Skipped[];
  /** Files whose names say nothing (README, notes.txt, chain): load/skipped.ts looks into them. */
  unnamed: string[];
}

export interface DiscoverOptions {
  source: string;
  certFile?: string;
  keyFile?: string;
  appName?: string;
}

const PFX_EXT = new Set(['.pfx', '.p12']);
/** Certificates, keys and bundles by the names their producers give them: OpenSSL and most CAs (.pem,
 *  .crt, .cer, .der, .key), Sectigo and Comodo's `<domain>.ca-bundle` beside `<domain>.crt`, PKCS#7
 *  bundles from Windows' export and DigiCert (.p7b, .p7c). chain.pem, fullchain.pem and ca-bundle.crt
 *  are .pem and .crt files. */
const PEM_EXT = new Set(['.pem', '.crt', '.cer', '.der', '.key', '.cert', '.ca-bundle', '.p7b', '.p7c']);
/** Keystores Kestrel cannot read: listed so that the finding names them (load/keystore.ts). */
const KEYSTORE_EXT = new Set(['.jks', '.jceks', '.bks', '.keystore']);

/** The key files looked for beside a single certificate file: `dotnet dev-certs --format PEM`
 *  writes <name>.pem and <name>.key, mkcert <name>.pem and <name>-key.pem, certbot fullchain.pem (or
 *  cert.pem) and privkey.pem. */
export function keyNamesBeside(file: string): string[] {
  const stem = path.basename(file, path.extname(file));
  return [`${stem}.key`, `${stem}-key.pem`, ...(CERTBOT_CERTS.has(path.basename(file)) ? ['privkey.pem'] : [])];
}
const CERTBOT_CERTS = new Set(['fullchain.pem', 'cert.pem']);

/** The chain looked for beside a single certificate file: Sectigo and Comodo deliver
 *  `<domain>.crt` with `<domain>.ca-bundle`; Windows and DigiCert `<domain>.p7b`; certbot cert.pem
 *  with chain.pem. */
function bundleNamesBeside(file: string): string[] {
  const stem = path.basename(file, path.extname(file));
  return [`${stem}.ca-bundle`, `${stem}.p7b`, ...(path.basename(file) === 'cert.pem' ? ['chain.pem'] : [])];
}

export function isPfxName(file: string): boolean {
  return PFX_EXT.has(path.extname(file).toLowerCase());
}

function statOrThrow(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, file, 'cannot open the source');
  }
}

/** True when the name exists, even as a dangling link (certbot's live/ with archive/ not mounted). */
const exists = (f: string) => {
  try {
    fs.lstatSync(f);
    return true;
  } catch {
    return false;
  }
};

function fromFiles(files: string[], layout: Layout, dir?: string): Discovery {
  const pfx = files.filter(isPfxName);
  const pem = files.filter((f) => !isPfxName(f));
  const where = dir ? { root: dir, roots: sourceRoots(dir) } : {};
  return { layout, ...(pfx.length > 0 ? { pfx: pfx[0]! } : {}), pem, ca: [], skipped: [], unnamed: [], ...where };
}

export function discover(opts: DiscoverOptions): Discovery {
  const st = statOrThrow(opts.source);
  if (opts.certFile !== undefined) return chosen(opts, st.isDirectory());
  if (!st.isDirectory()) return singleFile(opts);
  return knownLayout(opts.source) ?? byContent(opts);
}

/** KCS_CERT_FILE (and KCS_KEY_FILE) name the files; relative names are in the source directory. */
function chosen(opts: DiscoverOptions, isDir: boolean): Discovery {
  const { source } = opts;
  const resolveIn = (f: string) => (path.isAbsolute(f) ? f : path.join(isDir ? source : path.dirname(source), f));
  const files = [resolveIn(opts.certFile!), ...(opts.keyFile !== undefined ? [resolveIn(opts.keyFile)] : [])];
  const d = fromFiles(files, 'chosen', isDir ? source : undefined);
  // Without KCS_KEY_FILE, a PEM certificate's key is looked for among the directory's key files.
  if (opts.keyFile === undefined && !d.pfx && isDir)
    d.pem.push(...listCandidates(source).pem.filter((f) => f !== files[0]));
  return d;
}

/** One file: its key and its CA bundle are looked for beside it, by the names their tools write. */
function singleFile(opts: DiscoverOptions): Discovery {
  const { source } = opts;
  const beside = (names: string[]) =>
    names.map((n) => path.join(path.dirname(source), n)).filter((f) => f !== source && fs.existsSync(f));
  const given = opts.keyFile !== undefined ? [path.resolve(path.dirname(source), opts.keyFile)] : [];
  if (isPfxName(source)) return fromFiles([source, ...given], 'single-file');
  const key = opts.keyFile !== undefined ? given : beside(keyNamesBeside(source)).slice(0, 1);
  return fromFiles([source, ...key, ...beside(bundleNamesBeside(source)).slice(0, 1)], 'single-file');
}

/** A Kubernetes TLS secret or certbot's live/<name>/, by their file names. */
function knownLayout(source: string): Discovery | undefined {
  const has = (name: string) => exists(path.join(source, name));
  const at = (name: string) => path.join(source, name);
  const rest = (read: string[], why: string) => {
    const { pfx, pem } = listCandidates(source);
    return [...pfx, ...pem].filter((f) => !read.includes(path.basename(f))).map((file) => ({ file, why }));
  };
  const dir = { root: source, roots: sourceRoots(source), unnamed: [] };
  if (has('tls.crt') || has('tls.key')) {
    // A Kubernetes TLS secret (kubernetes.io/tls), as the kubelet mounts it or cert-manager writes it.
    const read = ['tls.crt', 'tls.key', 'ca.crt'].filter(has);
    const why = 'a Kubernetes TLS secret is read from tls.crt, tls.key and ca.crt';
    const [crtKey, ca] = [read.filter((n) => n !== 'ca.crt'), read.includes('ca.crt') ? [at('ca.crt')] : []];
    return { layout: 'kubernetes-tls', pem: crtKey.map(at), ca, skipped: rest(read, why), ...dir };
  }
  if (has('fullchain.pem') && has('privkey.pem')) {
    // certbot's live/<name>/ directory; cert.pem and chain.pem repeat what fullchain.pem holds.
    const why = "certbot's directory is read from fullchain.pem and privkey.pem";
    const skipped = rest(['fullchain.pem', 'privkey.pem', 'cert.pem', 'chain.pem'], why);
    return { layout: 'letsencrypt', pem: [at('fullchain.pem'), at('privkey.pem')], ca: [], skipped, ...dir };
  }
  return undefined;
}

/** Any other directory: a PFX (one, or the one KCS_APP_NAME names), else PEM files matched by content. */
function byContent(opts: DiscoverOptions): Discovery {
  const { source } = opts;
  const { pfx, pem, unnamed } = listCandidates(source);
  const dir = { root: source, roots: sourceRoots(source), unnamed };
  if (pfx.length > 1) {
    const stem = (f: string) => path.basename(f, path.extname(f)).toLowerCase();
    const chosen = opts.appName ? pfx.find((f) => stem(f) === opts.appName!.toLowerCase()) : undefined;
    if (chosen) {
      const why = `KCS_APP_NAME=${opts.appName} chose ${path.basename(chosen)}`;
      const skipped = [...pfx.filter((f) => f !== chosen), ...pem].map((file) => ({ file, why }));
      return { layout: 'pfx', pfx: chosen, pem: [], ca: [], skipped, ...dir };
    }
    fail(messages.SOURCE_AMBIGUOUS.severalPfx({ source, files: pfx.map((f) => path.basename(f)) }), source);
  }
  if (pfx.length === 1) return { layout: 'pfx', pfx: pfx[0]!, pem, ca: [], skipped: [], ...dir };
  if (pem.length === 0) {
    fail(messages.SOURCE_NOT_FOUND.noCandidate({ source }), source);
  }
  return { layout: 'pem', pem, ca: [], skipped: [], ...dir };
}

/** True for a directory with no certificate or key file at all, such as a compose `./certs` bind
 *  mount the user left empty: the sidecar then generates, as without KCS_SOURCE. */
export function isEmptySourceDir(source: string): boolean {
  try {
    if (!fs.statSync(source).isDirectory()) return false;
  } catch {
    return false;
  }
  const { pfx, pem } = listCandidates(source);
  return pfx.length === 0 && pem.length === 0;
}

/** Candidate files by name. Names starting with a dot are skipped: Kubernetes' ..data and its
 *  timestamped directories, editors' swap files. A directory with a certificate's name is kept, so
 *  reading it reports that it is not a file. Other names are `unnamed`, for load/skipped.ts to look into. */
function listCandidates(dir: string): { pfx: string[]; pem: string[]; unnamed: string[] } {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, dir, 'cannot list');
  }
  const out = { pfx: [] as string[], pem: [] as string[], unnamed: [] as string[] };
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const ext = path.extname(name).toLowerCase();
    if (PFX_EXT.has(ext)) out.pfx.push(path.join(dir, name));
    else if (PEM_EXT.has(ext) || KEYSTORE_EXT.has(ext)) out.pem.push(path.join(dir, name));
    else out.unnamed.push(path.join(dir, name));
  }
  return out;
}
