// What the 60 s rescan of `watch` compares: the watched files' metadata, and the output's links and files.
import fs from 'node:fs';
import path from 'node:path';

/**
 * What the rescan compares: name, type, size, times and inode of every entry under the watched
 * paths (two levels, as the watcher) and symlink targets. Equal means no file changed, so no publish
 * is needed; anything else runs one, which itself skips an unchanged set.
 */
export function fingerprint(paths: readonly string[]): string {
  const parts: string[] = [];
  const visit = (p: string, depth: number) => {
    // Anything it cannot read (gone meanwhile, no permission, a link loop) is recorded as such:
    // a change like any other, never an error in the process that waits.
    try {
      const st = fs.lstatSync(p);
      parts.push(`${p}:${st.mode}:${st.size}:${st.ino}:${st.ctimeMs}:${st.mtimeMs}`);
      if (st.isSymbolicLink()) parts.push(`->${fs.readlinkSync(p)}`);
      const dir = st.isSymbolicLink() ? fs.statSync(p).isDirectory() : st.isDirectory();
      if (dir && depth < 2) for (const e of fs.readdirSync(p).sort()) visit(path.join(p, e), depth + 1);
    } catch (err) {
      parts.push(`${p}:${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  };
  for (const p of paths) visit(p, 0);
  return parts.join('\n');
}

/** The output as the rescan compares it: read through the volume's reader (publish/published.ts). */
export { outputFingerprint } from '../publish/published.js';
