// Publishes a whole file set at once, the way the Kubernetes AtomicWriter
// (pkg/volume/util/atomic_writer.go) updates secret volumes. The output directory is hostile input
// (docs/threat-model.md): every step below goes through directory descriptors (dir.ts), follows no
// symlink it did not make, and reads the live set only when it is provably ours (live-set.ts).
//
//  (0) Open the output directory; as root, take it (root, KCS_OWNER's group, 0755).
//  (1) Read the live generation: the target of the ..data symlink, if provably ours.
//  (2) If its manifest has the same content digest, stop: nothing changed, Kestrel must not reload.
//      Every published name is still checked to resolve to the live generation, and repaired.
//  (3) Create a new generation directory, ..<timestamp>, beside it, 0700 while it is written.
//  (4) Write every file into it with its mode (set on the descriptor: the umask cannot clear bits).
//  (5) Hand the files to the owner (uid:gid) on their descriptors, before anyone can see them; the
//      directories stay the sidecar's (root's as root), group KCS_OWNER's, 0555.
//  (6) Point a temporary symlink ..data_tmp at the new generation.
//  (7) rename(..data_tmp, ..data): one atomic step switches every name at once.
//  (8) Replace the user-visible symlinks (tls.crt -> ..data/tls.crt), each by an atomic rename,
//      and remove those of names this generation no longer has. The Kubernetes AtomicWriter only
//      creates missing ones; we replace them all because Kestrel's CertificatePathWatcher (.NET 8-10)
//      watches the entry named by Path in its directory and does not follow ..data: a fresh link
//      is the change event (inotify) and the newer modification time (polling) it reloads on.
//  (9) Remove old generations once they have been retired for the grace period, and any
//      generation newer than the live one (left by a publisher that was killed mid-write).
//
// A failure before (7) removes the new generation and leaves the live set untouched.
import fs from 'node:fs';
import path from 'node:path';
import { KcsError } from '../findings.js';
import { Dir } from './dir.js';
import type { FileSet } from './layout.js';
import { DATA, GEN, generationUid, parseManifest, proveLive, readFrom } from './live-set.js';
import { MODE_DIR, MODE_DIR_WRITING } from './modes.js';
import { openOutput } from './output.js';

const DATA_TMP = '..data_tmp';
/** Generation names of this and earlier versions (which could stack several suffixes), for clean-up. */
const ANY_GEN = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d{6}(?:_\d+)*$/;

/** How long a retired generation stays: readers that resolved ..data just before a swap may still
 *  open files through it. Kestrel polls every 4 s; 10 s covers a poll and the read after it. */
export const GRACE_MS = 10_000;

export interface WriteOptions {
  owner?: { uid: number; gid: number };
  now: Date;
  /** Compared with the live manifest's contentDigest to skip unchanged publishes. */
  digest: string;
  /** The output directory, already opened (and locked) by the caller; else it is opened here. */
  out?: Dir;
}

export interface WriteResult {
  changed: boolean;
  generation: string;
  /** When the next clean-up can remove a retired generation, if one is waiting. */
  cleanupAt?: Date;
  /** What was found in the output that was not ours or not right, and was repaired. */
  repaired: string[];
}

/** In a user namespace (rootless Podman, userns-remap) uid_map maps less than every uid onto itself. */
function inUserNamespace(): boolean {
  try {
    return !/^\s*0\s+0\s+4294967295\s*$/.test(fs.readFileSync('/proc/self/uid_map', 'utf8'));
  } catch {
    return false; // not Linux
  }
}

export function outputError(err: unknown, dir: string, step: string): KcsError {
  if (err instanceof KcsError) return err;
  const e = err as NodeJS.ErrnoException;
  const hints: Record<string, string> = {
    EACCES: inUserNamespace()
      ? `in a user namespace (rootless Podman) a bind mount is owned by a uid outside it: mount it with :U ` +
        `(-v DIR:${dir}:U), or run \`podman unshare chown ${process.getuid?.()}:${process.getgid?.()} DIR\`, ` +
        'or use a named volume'
      : `make ${dir} writable by uid ${process.getuid?.()} (a named volume, or chown the bind mount), ` +
        'or run the sidecar as root',
    EPERM: 'run the sidecar as root to publish files for another owner, or set KCS_OWNER to the current uid:gid',
    EROFS: `mount ${dir} read-write in the sidecar (only the app mounts it read-only)`,
    ENOSPC: `free space on the volume that holds ${dir}; the live set was left as it was`,
    EDQUOT: `raise the quota of the volume that holds ${dir}; the live set was left as it was`,
    ELOOP: `${dir} must be a directory, not a symlink to one: point KCS_OUTPUT at the directory itself`,
    ENOTDIR: `${dir} must be a directory: point KCS_OUTPUT at the volume's mount point`,
    EISDIR: `remove the directory that stands in the way in ${dir}; the sidecar replaces only its own entries and files`,
  };
  return new KcsError(
    {
      code: 'OUTPUT_NOT_WRITABLE',
      message: `cannot publish to ${dir}: ${step} failed (${e.code ?? e.message})`,
      hint: hints[e.code ?? ''] ?? `check the volume mounted at ${dir}`,
      file: dir,
    },
    { cause: err },
  );
}

/** `..2026_11_26_12_00_00.123456`, like the kubelet's, in UTC. */
function generationName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds() * 1000, 6)}`;
}

function generationTime(name: string): number {
  const m = GEN.exec(name) ?? GEN.exec(name.replace(/(_\d+)+$/, ''));
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, us] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, Math.floor(us! / 1000));
}

/** Orders generation names: by their time, then by their counter (a number, so _10 follows _9). */
export function compareGenerations(a: string, b: string): number {
  const split = (n: string) => {
    const m = /^(.*?)((?:_\d+)*)$/.exec(n.slice(2 + 26))!;
    return { base: n.slice(0, 2 + 26) + m[1], counter: m[2] ? Number(m[2].slice(m[2].lastIndexOf('_') + 1)) : -1 };
  };
  const x = split(a);
  const y = split(b);
  return x.base < y.base ? -1 : x.base > y.base ? 1 : x.counter - y.counter;
}

/**
 * (3) The name of a new generation: its time, or, when that does not sort after the live one (a
 * clock that went backwards, two publishes in one millisecond), the live one's with the next counter.
 */
export function nextGeneration(now: Date, live: string | undefined): string {
  const name = generationName(now);
  if (!live || compareGenerations(name, live) > 0) return name;
  const m = GEN.exec(live);
  const base = m?.[8] !== undefined ? live.slice(0, -(m[8].length + 1)) : live;
  return `${base}_${String((m?.[8] !== undefined ? Number(m[8]) : 0) + 1).padStart(6, '0')}`;
}

/** The live generation's name, if it is provably ours. */
export function liveGeneration(dir: string): string | undefined {
  return Dir.tryUsing(dir, (out) => proveLive(out).generation);
}

/** Creates or replaces a symlink atomically (symlink to a temporary name, then rename). */
function atomicSymlink(out: Dir, name: string, target: string): void {
  const tmp = name === DATA ? DATA_TMP : `..${name}_tmp`;
  // Left by a publisher killed between symlink() and rename(), or put there by someone else: the
  // name is ours (..name_tmp), so whatever stands there goes, without following it.
  out.remove(tmp);
  out.symlink(target, tmp);
  out.rename(tmp, name);
}

/**
 * (8) Points every top-level name of the live generation at it (`name -> ..data/name`), replacing
 * what stood there, and removes our links to names it no longer has. Returns what it had to repair
 * or replace; `fresh` links are replaced all the same (see the header: Kestrel reloads on them).
 */
function linkNames(out: Dir, names: readonly string[], fresh: boolean): string[] {
  const repaired: string[] = [];
  for (const name of names) {
    const target = `${DATA}/${name}`;
    const st = out.lstat(name);
    const ours = st?.isSymbolicLink() && out.readlink(name) === target;
    if (ours && !fresh) continue;
    if (!st) {
      if (!fresh) repaired.push(`${name} was missing`);
    } else if (!st.isSymbolicLink())
      repaired.push(`${name} was ${st.isDirectory() ? 'a directory' : 'a file'} not made by kestrel-cert-sidecar`);
    else if (!ours)
      repaired.push(`${name} was a symlink to ${JSON.stringify(out.readlink(name))}, not made by kestrel-cert-sidecar`);
    atomicSymlink(out, name, target);
  }
  for (const entry of out.readdir()) {
    if (entry.startsWith('.') || names.includes(entry)) continue;
    if (out.readlink(entry)?.startsWith(`${DATA}/`)) out.unlink(entry);
  }
  return repaired;
}

/** The published names of a generation: its top-level entries. */
function topNames(out: Dir, generation: string): string[] {
  const gen = out.openDir(generation);
  try {
    return gen
      .readdir()
      .filter((n) => !n.startsWith('.'))
      .sort();
  } finally {
    gen.close();
  }
}

/**
 * Replaces every top-level link again, pointing where it already points. `watch` calls it a moment
 * after a publish: a consumer that read Path and KeyPath across a ..data swap (two separate opens)
 * gets one more change event, and reloads a pair from one generation.
 */
export function relink(dir: string): void {
  Dir.using(dir, relinkIn);
}

export function relinkIn(out: Dir): void {
  for (const entry of out.readdir()) {
    if (entry.startsWith('.')) continue;
    const target = out.readlink(entry);
    if (target === `${DATA}/${entry}`) atomicSymlink(out, entry, target);
  }
}

/** (9) Removes retired generations past the grace period and strays; returns when the next one is due. */
export function cleanup(dir: string, now: Date): Date | undefined {
  return Dir.tryUsing(dir, (out) => cleanupIn(out, now));
}

export function cleanupIn(out: Dir, now: Date): Date | undefined {
  const live = proveLive(out).generation;
  const names = out
    .readdir()
    .filter((n) => ANY_GEN.test(n))
    .sort(compareGenerations);
  let next: Date | undefined;
  names.forEach((name, i) => {
    if (name === live) return;
    const stray = live === undefined || compareGenerations(name, live) > 0;
    // A generation was retired when the next one was made: the earlier of the time in the next
    // one's name and its change time on this machine's clock (the name may come from a clock that
    // has since gone backwards; a test's clock is behind the change time).
    const next1 = names[i + 1];
    const due =
      (next1 === undefined ? 0 : Math.min(generationTime(next1), out.lstat(next1)?.ctimeMs ?? Infinity)) + GRACE_MS;
    if (stray || !(due > now.getTime())) out.remove(name);
    else if (!next || due < next.getTime()) next = new Date(due);
  });
  // Temporary links of a publisher killed between symlink() and rename(), or whatever took their names.
  for (const name of out.readdir()) if (name === DATA_TMP || /^\.\..+_tmp$/.test(name)) out.remove(name);
  return next;
}

/**
 * `build` makes the file set for a generation name; it is called only when the content changed.
 * Over 60 lines: on purpose, the numbered steps (0)-(8) of the protocol read in order, each beside its
 * failure handling; the parts that stand alone (linkNames, cleanupIn, nextGeneration) are functions of their own.
 */
export function writeAtomically(dir: string, build: (generation: string) => FileSet, opts: WriteOptions): WriteResult {
  let step = 'creating the output directory';
  let out: Dir | undefined = opts.out;
  let gen: string | undefined;
  try {
    // (0)
    out ??= openOutput(dir, opts.owner);
    // (1)
    step = 'reading the live set';
    const current = readFrom(out, ['manifest.json']);
    const live = current.generation;
    const repaired = current.problem ? [`${current.problem}; replaced by a new generation`] : [];
    // (2)
    if (live && parseManifest(current.files.get('manifest.json'))?.contentDigest === opts.digest) {
      step = 'linking the published names';
      repaired.push(...linkNames(out, topNames(out, live), false));
      const cleanupAt = cleanupIn(out, opts.now);
      return { changed: false, generation: live, repaired, ...(cleanupAt ? { cleanupAt } : {}) };
    }
    // (3)
    step = 'creating a generation directory';
    const name = nextGeneration(opts.now, live);
    const files = build(name);
    for (const rel of files.keys()) {
      // Checked before anything is created: a name leaving the generation is a bug, never written.
      if (rel.split('/').some((part) => part === '' || part === '.' || part === '..'))
        throw new Error(`refusing to write outside the generation: ${rel}`);
    }
    gen = name;
    const root = out.mkdir(name, MODE_DIR_WRITING);
    const dirs = new Map<string, Dir>([['', root]]);
    try {
      // (4) + (5) Each directory is opened as it is made, and everything inside goes through it.
      step = 'writing the files';
      const dirOf = (rel: string): Dir => {
        const parent = path.posix.dirname(rel);
        const key = parent === '.' ? '' : parent;
        let d = dirs.get(key);
        if (!d) {
          d = dirOf(key).mkdir(path.posix.basename(key), MODE_DIR_WRITING);
          dirs.set(key, d);
        }
        return d;
      };
      for (const [rel, file] of files) dirOf(rel).writeFile(path.posix.basename(rel), file.data, file.mode, opts.owner);
      if (opts.owner) step = `handing the files to ${opts.owner.uid}:${opts.owner.gid}`;
      // Deepest first: a directory loses its write bit after everything in it is written.
      for (const key of [...dirs.keys()].sort((a, b) => b.length - a.length)) {
        const d = dirs.get(key)!;
        if (opts.owner) d.chown(generationUid(), opts.owner.gid);
        d.chmod(MODE_DIR);
      }
      // Still the directory we made and wrote? (As root nobody else can rename it; as another uid
      // that shares ours, it could have been swapped, and ..data must not follow it.)
      if (out.lstat(name)?.ino !== root.stat().ino)
        throw Object.assign(new Error(`${name} was replaced while it was written`), { code: 'EEXIST' });
    } finally {
      for (const d of dirs.values()) d.close();
    }
    // (6) + (7) A directory named ..data is not ours (live-set.ts said so above): it goes.
    step = 'switching ..data';
    if (out.lstat(DATA)?.isDirectory()) out.remove(DATA);
    atomicSymlink(out, DATA, name);
    gen = undefined; // live now: never remove it on a later error
    // (8)
    step = 'linking the published names';
    const top = [...new Set([...files.keys()].map((f) => f.split('/')[0]!))].sort();
    repaired.push(...linkNames(out, top, true));
    // (9)
    const cleanupAt = cleanupIn(out, opts.now);
    return { changed: true, generation: name, repaired, ...(cleanupAt ? { cleanupAt } : {}) };
  } catch (err) {
    if (gen && out) {
      try {
        out.remove(gen);
      } catch {
        // the error below is the one to report
      }
    }
    throw outputError(err, dir, step);
  } finally {
    if (out !== opts.out) out?.close();
  }
}
