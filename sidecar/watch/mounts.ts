// How `watch` sees the source change: inotify events (chokidar), or a stat poll where the mount
// delivers none. Docker Desktop (WSL 2) and Podman machines serve Windows and macOS folders to
// containers over 9p or virtiofs; SMB, NFS and FUSE file systems are served by another machine or
// process too. A change made on that side raises no inotify event in the container, so the mount type
// of each watched path is read from /proc/self/mountinfo (proc(5)) and such a source is polled.
import fs from 'node:fs';
import path from 'node:path';

/** File systems whose changes made elsewhere raise no inotify event here. fuse.<name> is a FUSE
 *  file system of that name (fuse.bindfs, fuse.sshfs, fuse.grpcfuse), fuseblk one on a block device. */
const NO_INOTIFY = /^(9p|virtiofs|fuse|fuseblk|fuse\..+|cifs|smb3|smbfs|nfs|nfs4)$/;

/** A stat of the watched files this often, when polling: a rotation is seen within this much. */
export const POLL_MS = 2000;

export type WatchModeSetting = 'auto' | 'events' | 'poll';

export interface Mount {
  mountPoint: string;
  fstype: string;
}

/** How the source is watched, and the words the start-up line says it with. */
export interface WatchMode {
  poll: boolean;
  why: string;
}

/** mountinfo escapes space, tab, newline and backslash in paths as octal (\040). */
const unOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * The mounts of /proc/self/mountinfo, in its order (a later mount on the same point hides an earlier).
 * A line: `id parent major:minor root mount-point options [optional fields...] - fstype source super-options`.
 */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f[4] === undefined || f[dash + 1] === undefined) continue;
    mounts.push({ mountPoint: unOctal(f[4]), fstype: f[dash + 1]! });
  }
  return mounts;
}

/** The real path of `p`, through its deepest ancestor that exists. */
function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const up = path.dirname(p);
    return up === p ? p : path.join(realPath(up), path.basename(p));
  }
}

/** The mount that holds `file` (its real path; a path not there yet is looked up by its parent). */
export function mountOf(file: string, mounts: readonly Mount[]): Mount | undefined {
  const real = realPath(path.resolve(file));
  let best: Mount | undefined;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || real === m.mountPoint || real.startsWith(`${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

function readMounts(): Mount[] {
  try {
    return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    // Not Linux, or no /proc: nothing says the source is special, so events (chokidar's own way there).
    return [];
  }
}

/** Decides events or polling for these watched paths. */
export function watchMode(setting: WatchModeSetting, paths: readonly string[], mounts = readMounts()): WatchMode {
  if (setting === 'poll') return { poll: true, why: 'KCS_WATCH_MODE=poll' };
  if (setting === 'events') return { poll: false, why: 'KCS_WATCH_MODE=events' };
  for (const p of paths) {
    const m = mountOf(p, mounts);
    if (m && NO_INOTIFY.test(m.fstype)) {
      const where = m.mountPoint === p ? 'it is' : `${p} is on`;
      return {
        poll: true,
        why: `${where} a ${m.fstype} mount, which delivers no inotify events for changes made elsewhere`,
      };
    }
  }
  return { poll: false, why: 'inotify' };
}
