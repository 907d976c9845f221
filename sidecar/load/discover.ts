// Decides which files in the source are the certificate and the key. Known layouts first
// (Kubernetes TLS secret, Let's Encrypt), then by content. Two candidates is an error, never a guess.
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../findings.js';
import { ioError } from './files.js';

export type Layout = 'single-file' | 'kubernetes-tls' | 'letsencrypt' | 'pfx' | 'pem' | 'chosen';

export interface Discovery {
  layout: Layout;
  /** The PFX to open, when the source is a PFX. */
  pfx?: string;
  /** PEM or DER files to read, in order; the certificate and key are matched by content. */
  pem: string[];
  /** Files whose certificates are trust anchors (a Kubernetes secret's ca.crt). */
  ca: string[];
  /** The directory that symlinks must stay inside, when the source is a directory. */
  root?: string;
}

export interface DiscoverOptions {
  source: string;
  certFile?: string;
  keyFile?: string;
  appName?: string;
}

const PFX_EXT = new Set(['.pfx', '.p12']);
const PEM_EXT = new Set(['.pem', '.crt', '.cer', '.der', '.key', '.cert']);
/** Keystores Kestrel cannot read: listed so that the finding names them (load/keystore.ts). */
const KEYSTORE_EXT = new Set(['.jks', '.jceks', '.bks', '.keystore']);

/** The key files looked for beside a single certificate file: `dotnet dev-certs --format PEM`
 *  writes <name>.pem and <name>.key, mkcert <name>.pem and <name>-key.pem. */
export function keyNamesBeside(file: string): string[] {
  const stem = path.basename(file, path.extname(file));
  return [`${stem}.key`, `${stem}-key.pem`];
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

function fromFiles(files: string[], layout: Layout, root?: string): Discovery {
  const pfx = files.filter(isPfxName);
  const pem = files.filter((f) => !isPfxName(f));
  if (pfx.length > 0) return { layout, pfx: pfx[0]!, pem, ca: [], ...(root ? { root } : {}) };
  return { layout, pem, ca: [], ...(root ? { root } : {}) };
}

export function discover(opts: DiscoverOptions): Discovery {
  const { source } = opts;
  const st = statOrThrow(source);
  const resolveIn = (f: string) =>
    path.isAbsolute(f) ? f : path.join(st.isDirectory() ? source : path.dirname(source), f);

  if (opts.certFile !== undefined) {
    const files = [resolveIn(opts.certFile), ...(opts.keyFile !== undefined ? [resolveIn(opts.keyFile)] : [])];
    const d = fromFiles(files, 'chosen');
    // Without KCS_KEY_FILE, a PEM certificate's key is looked for among the directory's key files.
    if (opts.keyFile === undefined && !d.pfx && st.isDirectory())
      d.pem.push(...listCandidates(source).pem.filter((f) => f !== files[0]));
    return st.isDirectory() ? { ...d, root: source } : d;
  }
  if (!st.isDirectory()) {
    const beside =
      opts.keyFile !== undefined || isPfxName(source)
        ? []
        : keyNamesBeside(source)
            .map(resolveIn)
            .filter((f) => f !== source && fs.existsSync(f))
            .slice(0, 1);
    return fromFiles([source, ...(opts.keyFile !== undefined ? [resolveIn(opts.keyFile)] : beside)], 'single-file');
  }

  const has = (name: string) => fs.existsSync(path.join(source, name));
  const at = (name: string) => path.join(source, name);
  if (has('tls.crt') || has('tls.key')) {
    // A Kubernetes TLS secret (kubernetes.io/tls), as the kubelet mounts it or cert-manager writes it.
    return {
      layout: 'kubernetes-tls',
      pem: ['tls.crt', 'tls.key'].filter(has).map(at),
      ca: has('ca.crt') ? [at('ca.crt')] : [],
      root: source,
    };
  }
  if (has('fullchain.pem') && has('privkey.pem')) {
    // certbot's live/<name>/ directory; cert.pem and chain.pem repeat what fullchain.pem holds.
    return { layout: 'letsencrypt', pem: [at('fullchain.pem'), at('privkey.pem')], ca: [], root: source };
  }

  const { pfx, pem } = listCandidates(source);
  if (pfx.length > 1) {
    const chosen = opts.appName
      ? pfx.find((f) => path.basename(f, path.extname(f)).toLowerCase() === opts.appName!.toLowerCase())
      : undefined;
    if (chosen) return { layout: 'pfx', pfx: chosen, pem: [], ca: [], root: source };
    fail(
      'SOURCE_AMBIGUOUS',
      `cannot choose a certificate in ${source}: it holds ${pfx.length} PFX files (${pfx.map((f) => path.basename(f)).join(', ')})`,
      `set KCS_CERT_FILE to the one to publish, for example KCS_CERT_FILE=${path.basename(pfx[0]!)}`,
      source,
    );
  }
  if (pfx.length === 1) return { layout: 'pfx', pfx: pfx[0]!, pem, ca: [], root: source };
  if (pem.length === 0) {
    fail(
      'SOURCE_NOT_FOUND',
      `cannot find a certificate in ${source}: it holds no .pfx, .p12, .pem, .crt, .cer, .der or .key file`,
      'mount the certificate into the source directory, or unset KCS_SOURCE to generate one',
      source,
    );
  }
  return { layout: 'pem', pem, ca: [], root: source };
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
 *  reading it reports that it is not a file. */
function listCandidates(dir: string): { pfx: string[]; pem: string[] } {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, dir, 'cannot list');
  }
  const pfx: string[] = [];
  const pem: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const ext = path.extname(name).toLowerCase();
    if (PFX_EXT.has(ext)) pfx.push(path.join(dir, name));
    else if (PEM_EXT.has(ext) || KEYSTORE_EXT.has(ext)) pem.push(path.join(dir, name));
  }
  return { pfx, pem };
}
