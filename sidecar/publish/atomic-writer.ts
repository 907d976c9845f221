// Publishes a whole file set at once, the way the Kubernetes AtomicWriter
// (pkg/volume/util/atomic_writer.go) updates secret volumes:
//
//  (1) Read the live generation: the target of the ..data symlink.
//  (2) If its manifest has the same content digest, stop: nothing changed, Kestrel must not reload.
//  (3) Create a new generation directory, ..<timestamp>, beside it.
//  (4) Write every file into it with its mode (the umask cleared meanwhile, so it cannot clear bits).
//  (5) Hand the generation to the owner (uid:gid), before anyone can see it.
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
import type { FileSet } from './layout.js';
import { MODE_DIR, MODE_DIR_WRITING } from './modes.js';

const DATA = '..data';
const DATA_TMP = '..data_tmp';
const GEN = /^\.\.(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})\.(\d{6})(?:_\d+)?$/;

/** How long a retired generation stays: readers that resolved ..data just before a swap may still
 *  open files through it. Kestrel polls every 4 s; 10 s covers a poll and the read after it. */
export const GRACE_MS = 10_000;

export interface WriteOptions {
  owner?: { uid: number; gid: number };
  now: Date;
  /** Compared with the live manifest's contentDigest to skip unchanged publishes. */
  digest: string;
}

export interface WriteResult {
  changed: boolean;
  generation: string;
  /** When the next clean-up can remove a retired generation, if one is waiting. */
  cleanupAt?: Date;
}

function outputError(err: unknown, dir: string, step: string): KcsError {
  if (err instanceof KcsError) return err;
  const e = err as NodeJS.ErrnoException;
  const hints: Record<string, string> = {
    EACCES: `make ${dir} writable by uid ${process.getuid?.()} (a named volume, or chown the bind mount), or run the sidecar as root`,
    EPERM: 'run the sidecar as root to publish files for another owner, or set KCS_OWNER to the current uid:gid',
    EROFS: `mount ${dir} read-write in the sidecar (only the app mounts it read-only)`,
    ENOSPC: `free space on the volume that holds ${dir}; the live set was left as it was`,
    EDQUOT: `raise the quota of the volume that holds ${dir}; the live set was left as it was`,
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
function generationName(now: Date, micros: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds() * 1000 + micros, 6)}`;
}

function generationTime(name: string): number {
  const m = GEN.exec(name);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, us] = m.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, Math.floor(us! / 1000));
}

export function liveGeneration(dir: string): string | undefined {
  try {
    return fs.readlinkSync(path.join(dir, DATA));
  } catch {
    return undefined;
  }
}

function liveDigest(dir: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, DATA, 'manifest.json'), 'utf8')).contentDigest;
  } catch {
    return undefined;
  }
}

/** Removes a generation. Its directories are 0555, so a non-root owner makes them writable first. */
function removeTree(dir: string): void {
  try {
    const st = fs.lstatSync(dir);
    if (st.isDirectory()) {
      fs.chmodSync(dir, MODE_DIR_WRITING);
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeTree(path.join(dir, entry.name));
    }
  } catch {
    // gone already, or not ours to chmod: rmSync below reports nothing either way
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Creates or replaces a symlink atomically (symlink to a temporary name, then rename). `fresh`:
 *  the name is known not to exist yet (a first publish), so it is created in place. */
function atomicSymlink(dir: string, name: string, target: string, fresh = false): void {
  if (fresh) {
    try {
      fs.symlinkSync(target, path.join(dir, name));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const tmp = path.join(dir, `${name === DATA ? DATA_TMP : `..${name}_tmp`}`);
  try {
    fs.symlinkSync(target, tmp);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Left by a publisher killed between symlink() and rename().
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp);
  }
  fs.renameSync(tmp, path.join(dir, name));
}

/**
 * Replaces every top-level link again, pointing where it already points. `watch` calls it a moment
 * after a publish: a consumer that read Path and KeyPath across a ..data swap (two separate opens)
 * gets one more change event, and reloads a pair from one generation.
 */
export function relink(dir: string): void {
  for (const entry of fs.readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const target = fs.readlinkSync(path.join(dir, entry), { encoding: 'utf8' });
    if (target.startsWith(`${DATA}/`)) atomicSymlink(dir, entry, target);
  }
}

/** (9) Removes retired generations past the grace period and strays; returns when the next one is due. */
export function cleanup(dir: string, now: Date): Date | undefined {
  const live = liveGeneration(dir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => GEN.test(n)).sort();
  } catch {
    return undefined;
  }
  let next: Date | undefined;
  names.forEach((name, i) => {
    if (name === live) return;
    const stray = live === undefined || name > live;
    // A generation was retired when the next one was created.
    const retired = generationTime(names[i + 1] ?? '');
    const due = retired + GRACE_MS;
    if (stray || !(due > now.getTime())) removeTree(path.join(dir, name));
    else if (!next || due < next.getTime()) next = new Date(due);
  });
  // Temporary links of a publisher killed between symlink() and rename().
  for (const name of fs.readdirSync(dir)) if (name === DATA_TMP || /^\.\..+_tmp$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
  return next;
}

/** `build` makes the file set for a generation name; it is called only when the content changed. */
export function writeAtomically(dir: string, build: (generation: string) => FileSet, opts: WriteOptions, makeName = generationName): WriteResult {
  let step = 'creating the output directory';
  let gen: string | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: MODE_DIR_WRITING });
    // (1)
    const live = liveGeneration(dir);
    // (2)
    if (live && liveDigest(dir) === opts.digest) {
      const cleanupAt = cleanup(dir, opts.now);
      return { changed: false, generation: live, ...(cleanupAt ? { cleanupAt } : {}) };
    }
    // (3) Names sort by time; a clock that went backwards or a same-microsecond rerun gets a later name.
    step = 'creating a generation directory';
    let name = makeName(opts.now, 0);
    if (live && name <= live) name = `${live}_${Date.now() % 1e6}`;
    const files = build(name);
    // (4) With the umask cleared, each file and directory is created with exactly its mode.
    // Directories: shallowest first here, deepest first when their write bit is taken away below.
    const dirs = [...new Set([...files.keys()].flatMap((rel) => ancestors(rel)))].sort((a, b) => a.split('/').length - b.split('/').length);
    const umask = process.umask(0);
    try {
      gen = path.join(dir, name);
      fs.mkdirSync(gen, { mode: MODE_DIR_WRITING });
      step = 'writing the files';
      for (const d of dirs) fs.mkdirSync(path.join(gen, d), { mode: MODE_DIR_WRITING });
      for (const [rel, file] of files) {
        const target = path.join(gen, rel);
        if (path.relative(gen, target).startsWith('..')) throw new Error(`refusing to write outside the generation: ${rel}`);
        fs.writeFileSync(target, file.data, { mode: file.mode, flag: 'wx' });
      }
    } finally {
      process.umask(umask);
    }
    for (const d of dirs.reverse()) fs.chmodSync(path.join(gen, d), MODE_DIR);
    fs.chmodSync(gen, MODE_DIR);
    // (5)
    if (opts.owner) {
      step = `handing the files to ${opts.owner.uid}:${opts.owner.gid}`;
      for (const rel of [...files.keys(), ...dirs]) fs.lchownSync(path.join(gen, rel), opts.owner.uid, opts.owner.gid);
      fs.lchownSync(gen, opts.owner.uid, opts.owner.gid);
    }
    // (6) + (7)
    step = 'switching ..data';
    atomicSymlink(dir, DATA, name, !live);
    gen = undefined; // live now: never remove it on a later error
    // (8)
    step = 'linking the published names';
    const top = new Set([...files.keys()].map((f) => f.split('/')[0]!));
    for (const t of top) atomicSymlink(dir, t, `${DATA}/${t}`, !live);
    for (const entry of fs.readdirSync(dir)) {
      if (entry.startsWith('.') || top.has(entry)) continue;
      const link = path.join(dir, entry);
      if (fs.lstatSync(link).isSymbolicLink() && fs.readlinkSync(link).startsWith(`${DATA}/`)) fs.rmSync(link);
    }
    // (9)
    const cleanupAt = cleanup(dir, opts.now);
    return { changed: true, generation: name, ...(cleanupAt ? { cleanupAt } : {}) };
  } catch (err) {
    if (gen) removeTree(gen);
    throw outputError(err, dir, step);
  }
}

function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = path.posix.dirname(rel); d !== '.'; d = path.posix.dirname(d)) out.push(d);
  return out;
}
