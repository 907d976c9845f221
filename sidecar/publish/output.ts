// The output directory: created with an explicit mode, taken when running as root, and checked for
// parents another uid could swap. See the ownership table in docs/threat-model.md.
import fs from 'node:fs';
import path from 'node:path';
import { Dir } from './dir.js';

/** The output directory's mode: others may read and enter it, only its owner may change entries. */
export const MODE_OUTPUT = 0o755;

/** Creates `dir` and its missing parents at MODE_OUTPUT whatever the umask: under `umask 077` they
 *  would be 0700, and no other uid (the app) could reach the public files. */
function create(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: MODE_OUTPUT });
  if (first === undefined) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    fs.chmodSync(d, MODE_OUTPUT);
    if (d === path.resolve(first) || d === path.dirname(d)) break;
  }
}

/**
 * Opens the output directory, creating it first if needed. As root it is taken: owner root, group
 * KCS_OWNER's, mode 0755, so no other uid can create, rename or replace an entry in it (the attack
 * of a co-tenant that swaps a generation directory for a symlink mid-write needs exactly that).
 */
export function openOutput(dir: string, owner?: { uid: number; gid: number }): Dir {
  create(dir);
  const out = Dir.openReal(dir);
  try {
    if (process.geteuid?.() === 0) {
      const st = out.stat();
      const gid = owner?.gid ?? 0;
      if (st.uid !== 0 || st.gid !== gid) out.chown(0, gid);
      if ((st.mode & 0o7777) !== MODE_OUTPUT) out.chmod(MODE_OUTPUT);
    }
    return out;
  } catch (err) {
    out.close();
    throw err;
  }
}

/**
 * The first parent of the output's real path that a uid other than root and ours could write
 * (and so rename, and put a symlink in its place after the checks, making the sidecar take another
 * directory), with who: undefined when every parent is safe. A sticky directory (/tmp) is safe:
 * there only an entry's owner may rename it.
 */
export function unsafeParent(real: string): string | undefined {
  const me = process.geteuid?.() ?? 0;
  for (let d = path.dirname(real); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.uid !== 0 && st.uid !== me) return `${d} belongs to uid ${st.uid}`;
    if (!sticky && st.mode & 0o002) return `${d} is writable by every uid`;
    if (!sticky && st.mode & 0o020 && st.gid !== 0) return `${d} is writable by group ${st.gid}`;
    if (d === path.dirname(d)) return undefined;
  }
}
