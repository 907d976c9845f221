// What the other commands see of the output volume, read the way the app reads it: `watch` (the
// manifest, the rescan's fingerprint, and its tidying under the lock), `probe` (the manifest and
// ca.crt), `trust` and the testing helper. None of them reads the output by path on its own.
// No node:crypto here: `watch`'s waiting process loads this module.
import { Dir } from './dir.js';
import { lockOutput } from './lock.js';
import { relinkIn } from './links.js';
import { DATA, generationUid, parseManifest, proveLive, readFrom, type LiveFiles, type Manifest } from './live-set.js';
import { cleanupIn } from './tidy.js';

/**
 * Reads `names` (`ca.crt`, `trust/ca-bundle.crt`) from the published set of `output`: through
 * `..data` to a generation, no symlink followed inside it, regular files of bounded size. `writer`:
 * only a generation this uid made (the sidecar itself); else whoever published it (a reader that
 * is not the writer, such as probe in the app's container). Empty when nothing is published.
 */
export function readPublished(output: string, names: readonly string[], writer = false): LiveFiles {
  return Dir.tryUsing(output, (out) => readFrom(out, names, writer ? generationUid() : 'any')) ?? { files: new Map() };
}

/** The live manifest.json, for `watch`'s state and health reports: the writer's read, from a
 *  generation this uid made. */
export function readManifest(output: string): Manifest | undefined {
  return parseManifest(readPublished(output, ['manifest.json'], true).files.get('manifest.json'));
}

/**
 * What `watch`'s rescan compares: ..data's target, every top-level name with what it links to, and
 * the size, inode and times of every file of the live generation. A set removed, relinked or
 * rewritten in place behind our back then triggers a publish, which compares the files with the
 * manifest's digests and republishes (OUTPUT_REPAIRED).
 */
export function outputFingerprint(output: string): string {
  try {
    return Dir.using(output, (out) => {
      const links = out
        .readdir()
        .filter((n) => n === DATA || !n.startsWith('.'))
        .sort()
        .map((n) => `${n}->${out.readlink(n) ?? '(not a link)'}`);
      const gen = proveLive(out, 'any').generation;
      return [...links, ...(gen ? filesOf(out, gen) : [])].join('\n');
    });
  } catch (err) {
    return `(${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`;
  }
}

/** name:size:inode:ctime:mtime of every entry of a generation (two levels), never following a link. */
function filesOf(out: Dir, name: string, depth = 0): string[] {
  let d: Dir;
  try {
    d = out.openDir(name);
  } catch {
    return [`${name}:(unreadable)`];
  }
  try {
    return d
      .readdir()
      .sort()
      .flatMap((e) => {
        const st = d.lstat(e);
        if (!st) return [];
        const line = `${name}/${e}:${st.mode}:${st.size}:${st.ino}:${st.ctimeMs}:${st.mtimeMs}`;
        return st.isDirectory() && depth < 3 ? [line, ...filesOf(d, e, depth + 1)] : [line];
      });
  } finally {
    d.close();
  }
}

/**
 * `watch`'s tidying of the output, under its lock so it never races a publish: `cleanup` removes
 * retired generations (with the clock read after the lock is taken), `relink` replaces the links once
 * more. False when another writer holds the lock: try again later. Returns when the next clean-up is
 * due, for `cleanup`.
 */
export function tidyOutput(output: string, what: 'cleanup' | 'relink'): { busy: boolean; cleanupAt?: Date } {
  return Dir.using(output, (out) => {
    const lock = lockOutput(out, { wait: false, owned: generationUid() === 0 });
    if (!lock) return { busy: true };
    try {
      if (what === 'relink') {
        relinkIn(out);
        return { busy: false };
      }
      const cleanupAt = cleanupIn(out, new Date());
      return { busy: false, ...(cleanupAt ? { cleanupAt } : {}) };
    } finally {
      lock.release();
    }
  });
}
