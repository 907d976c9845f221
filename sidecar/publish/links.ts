// The user-visible names of the output (tls.crt -> ..data/tls.crt) and the temporary links that
// replace them atomically. Each is replaced by rename(2), which never writes through what stood there.
import type { Dir } from './dir.js';
import { DATA } from './live-set.js';

export const DATA_TMP = '..data_tmp';
/** A temporary link: ..data_tmp, or ..<name>_tmp. */
export const TMP = /^\.\..+_tmp$/;

/** Creates or replaces a symlink atomically (symlink to a temporary name, then rename). */
export function atomicSymlink(out: Dir, name: string, target: string): void {
  const tmp = name === DATA ? DATA_TMP : `..${name}_tmp`;
  // Left by a publisher killed between symlink() and rename(), or put there by someone else: the
  // name is ours (..name_tmp), so whatever stands there goes, without following it.
  out.remove(tmp);
  try {
    out.symlink(target, tmp);
    out.rename(tmp, name);
  } catch (err) {
    try {
      out.remove(tmp);
    } catch {
      // the error below is the one to report
    }
    throw err;
  }
}

/**
 * Before `..data` switches: every name the new generation publishes must be free for a link, so a
 * directory standing there (rename cannot replace it with a link) is removed now, without following
 * anything in it. If that fails, the publish fails with the live set exactly as it was.
 */
export function clearNames(out: Dir, names: readonly string[]): string[] {
  const repaired: string[] = [];
  for (const name of names) {
    const st = out.lstat(name);
    if (!st?.isDirectory()) continue;
    out.remove(name);
    repaired.push(`${name} was a directory of uid ${st.uid}, not made by kestrel-cert-sidecar; removed`);
  }
  return repaired;
}

/**
 * Points every top-level name of the live generation at it (`name -> ..data/name`), replacing what
 * stood there, and removes our links to names it no longer has. Returns what it had to repair or
 * replace; `fresh` links are replaced all the same (Kestrel reloads on them: see atomic-writer.ts).
 */
export function linkNames(out: Dir, names: readonly string[], fresh: boolean): string[] {
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
    if (st?.isDirectory()) out.remove(name);
    atomicSymlink(out, name, target);
  }
  for (const entry of out.readdir()) {
    if (entry.startsWith('.') || names.includes(entry)) continue;
    if (out.readlink(entry)?.startsWith(`${DATA}/`)) out.unlink(entry);
  }
  return repaired;
}

/**
 * Replaces every top-level link again, pointing where it already points. `watch` runs it a moment
 * after a publish: a consumer that read Path and KeyPath across a ..data swap (two separate opens)
 * gets one more change event, and reloads a pair from one generation.
 */
export function relinkIn(out: Dir): void {
  for (const entry of out.readdir()) {
    if (entry.startsWith('.')) continue;
    const target = out.readlink(entry);
    if (target === `${DATA}/${entry}`) atomicSymlink(out, entry, target);
  }
}
