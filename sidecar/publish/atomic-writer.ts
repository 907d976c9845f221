// Commits a whole file set at once, the way the Kubernetes AtomicWriter (pkg/volume/util/
// atomic_writer.go) updates secret volumes: one type, one method, bytes already built. The output
// directory is hostile input (docs/threat-model.md): every step goes through directory descriptors
// (dir.ts) and follows no symlink it did not make.
//
//  (0) volume.ts opened the output directory (as root, took it: root, KCS_OWNER's group, 0755)
//      and locked it;
//  (1) and read the live generation once: the target of ..data, if provably ours, and whether its
//      files still match their digests in its manifest.
//  (2) If the plan keeps the live generation (same content, files intact), only check that every
//      published name resolves to it, and repair those that do not: Kestrel must not reload.
//  (3) Create the new generation directory, ..<timestamp>, beside it, 0700 while it is written.
//  (4) Write every file into it with its mode (set on the descriptor: the umask cannot clear bits).
//  (5) Hand the files to their owner on their descriptors, before anyone can see them (as root:
//      root, KCS_OWNER's group, so the app reads them and can change none); the directories stay
//      the sidecar's, group KCS_OWNER's, 0555.
//  (6) Clear every published name of what would stop its link (a directory standing there), and
//      point a temporary symlink ..data_tmp at the new generation.
//  (7) rename(..data_tmp, ..data): one atomic step switches every name at once.
//  (8) Replace the user-visible symlinks (tls.crt -> ..data/tls.crt), each by an atomic rename,
//      and remove those of names this generation no longer has. The Kubernetes AtomicWriter only
//      creates missing ones; we replace them all because Kestrel's CertificatePathWatcher (.NET 8-10)
//      watches the entry named by Path in its directory and does not follow ..data: a fresh link
//      is the change event (inotify) and the newer modification time (polling) it reloads on.
//  (9) Remove old generations once they have been retired for the grace period, and any
//      generation newer than the live one (left by a publisher that was killed mid-write).
//
// A failure before (7) removes the new generation and leaves the live set exactly as it was.
// Everything that can fail for a reason in the input was decided before: only the file system can
// fail here, and only its errors become OUTPUT_NOT_WRITABLE (errors.ts).
import path from 'node:path';
import type { Dir } from './dir.js';
import { outputError } from './errors.js';
import type { FileSet } from './layout.js';
import { atomicSymlink, clearNames, linkNames } from './links.js';
import { DATA, generationUid } from './live-set.js';
import { MODE_DIR, MODE_DIR_WRITING } from './modes.js';
import type { Owner } from './ownership.js';
import { cleanupIn } from './tidy.js';

/** What to commit: a new generation with its files, or the live one kept as it is. */
export type Payload = { kind: 'new'; generation: string; files: FileSet } | { kind: 'live' };

export interface WriteResult {
  changed: boolean;
  generation: string;
  /** When the next clean-up can remove a retired generation, if one is waiting. */
  cleanupAt?: Date;
  /** What was found in the output that was not ours or not right, and was repaired. */
  repaired: string[];
}

/** Checked before anything is created: a name that leaves the generation is a bug, never written. */
function checkNames(files: FileSet): void {
  for (const rel of files.keys()) {
    if (rel.split('/').some((part) => part === '' || part === '.' || part === '..'))
      throw new Error(`refusing to write outside the generation: ${rel}`);
  }
}

export class AtomicWriter {
  /** The step running now, for the error a failure reports. */
  private step = '';

  /** `out` is opened and locked; `live` is its live generation, read once; `owner` owns the files. */
  constructor(
    private readonly out: Dir,
    private readonly live: string | undefined,
    private readonly owner: { files?: Owner; dirsGid?: number },
  ) {}

  write(payload: Payload, now: Date): WriteResult {
    if (payload.kind === 'new') checkNames(payload.files);
    try {
      return payload.kind === 'live' ? this.keep(now) : this.commit(payload.generation, payload.files, now);
    } catch (err) {
      throw outputError(err, this.out.shown, this.step);
    }
  }

  /** (2) */
  private keep(now: Date): WriteResult {
    const live = this.live;
    if (live === undefined) throw new Error('the plan kept a live generation, and there is none');
    this.step = 'linking the published names';
    const repaired = linkNames(this.out, this.topNames(live), false);
    const cleanupAt = cleanupIn(this.out, now);
    return { changed: false, generation: live, repaired, ...(cleanupAt ? { cleanupAt } : {}) };
  }

  private commit(name: string, files: FileSet, now: Date): WriteResult {
    const { out } = this;
    const top = [...new Set([...files.keys()].map((f) => f.split('/')[0]!))].sort();
    let repaired: string[] = [];
    // (3)
    this.step = 'creating a generation directory';
    const root = out.mkdir(name, MODE_DIR_WRITING);
    try {
      this.writeGeneration(name, root, files);
      // (6)
      this.step = 'clearing the published names';
      repaired = clearNames(out, top);
      // (7) A directory named ..data is not ours (the live read said so): it goes first.
      this.step = 'switching ..data';
      if (out.lstat(DATA)?.isDirectory()) out.remove(DATA);
      atomicSymlink(out, DATA, name);
    } catch (err) {
      try {
        out.remove(name);
      } catch {
        // the error thrown is the one to report
      }
      throw err;
    } finally {
      root.close();
    }
    // (8) Live now: never removed on a later error.
    this.step = 'linking the published names';
    repaired.push(...linkNames(out, top, true));
    // (9)
    const cleanupAt = cleanupIn(out, now);
    return { changed: true, generation: name, repaired, ...(cleanupAt ? { cleanupAt } : {}) };
  }

  /** (4) + (5) Each directory is opened as it is made, and everything inside goes through it. */
  private writeGeneration(name: string, root: Dir, files: FileSet): void {
    const dirs = new Map<string, Dir>();
    const dirOf = (rel: string): Dir => {
      if (rel === '.') return root;
      let d = dirs.get(rel);
      if (!d) {
        d = dirOf(path.posix.dirname(rel)).mkdir(path.posix.basename(rel), MODE_DIR_WRITING);
        dirs.set(rel, d);
      }
      return d;
    };
    try {
      this.step = 'writing the files';
      for (const [rel, file] of files)
        dirOf(path.posix.dirname(rel)).writeFile(path.posix.basename(rel), file.data, file.mode, this.owner.files);
      const { files: owner, dirsGid } = this.owner;
      if (owner) this.step = `handing the files to ${owner.uid}:${owner.gid}`;
      // Deepest first: a directory loses its write bit after everything in it is written.
      for (const d of [...[...dirs.entries()].sort((a, b) => b[0].length - a[0].length).map((e) => e[1]), root]) {
        if (dirsGid !== undefined) d.chown(generationUid(), dirsGid);
        d.chmod(MODE_DIR);
      }
      // Still the directory we made and wrote? (As root nobody else can rename it; as another uid
      // that shares ours, it could have been swapped, and ..data must not follow it.)
      if (this.out.lstat(name)?.ino !== root.stat().ino)
        throw Object.assign(new Error(`${name} was replaced while it was written`), { code: 'EEXIST' });
    } finally {
      for (const d of dirs.values()) d.close();
    }
  }

  /** The published names of a generation: its top-level entries. */
  private topNames(generation: string): string[] {
    const gen = this.out.openDir(generation);
    try {
      return gen
        .readdir()
        .filter((n) => !n.startsWith('.'))
        .sort();
    } finally {
      gen.close();
    }
  }
}
