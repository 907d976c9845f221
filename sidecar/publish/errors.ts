// The one mapping from a file-system error in the output to OUTPUT_NOT_WRITABLE, with the fix that
// works on the runtime it sees. Only errors of the file system are mapped: anything else thrown while
// publishing is a bug, and stays one (exit 1), never "check the volume".
import fs from 'node:fs';
import { KcsError } from '../findings.js';

/** An error of a system call: a code such as EACCES, EROFS, ENOSPC. */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/** True inside a user namespace (rootless Podman, rootless Docker): /proc/self/uid_map maps a range
 *  of host uids instead of the identity map `0 0 4294967295`, so root here is not root on the host. */
export function inUserNamespace(uidMap = readUidMap()): boolean {
  const lines = uidMap.trim().split('\n').filter(Boolean);
  if (lines.length === 0) return false;
  return !(lines.length === 1 && /^\s*0\s+0\s+4294967295\s*$/.test(lines[0]!));
}

function readUidMap(): string {
  try {
    return fs.readFileSync('/proc/self/uid_map', 'utf8');
  } catch {
    return '';
  }
}

/** The fix for a permission error, for the runtime this runs on. */
export function permissionFix(dir: string, code: string, uidMap?: string): string {
  const uid = process.geteuid?.();
  if (inUserNamespace(uidMap))
    return (
      // The host directory behind the mount (DIR) is not visible from inside: the fix names it so.
      `in a user namespace (rootless Podman) a bind mount belongs to a host uid that is not uid ${uid} here: ` +
      `mount it with :U (-v DIR:${dir}:U), or run \`podman unshare chown ${uid}:${uid} DIR\` on the host, ` +
      'or use a named volume'
    );
  if (code === 'EPERM')
    return 'run the sidecar as root to publish files for another owner, or set KCS_OWNER to the current uid:gid';
  return `make ${dir} writable by uid ${uid} (a named volume, or chown the bind mount), or run the sidecar as root`;
}

const ONLY_OURS = 'the sidecar replaces only its own entries and files';

export function outputError(err: unknown, dir: string, step: string): unknown {
  if (!isSystemError(err)) return err;
  const code = err.code!;
  const hints: Record<string, string> = {
    EACCES: permissionFix(dir, code),
    EPERM: permissionFix(dir, code),
    EROFS: `mount ${dir} read-write in the sidecar (only the app mounts it read-only)`,
    ENOSPC: `free space on the volume that holds ${dir}; the live set was left as it was`,
    EDQUOT: `raise the quota of the volume that holds ${dir}; the live set was left as it was`,
    ELOOP: `${dir} must be a directory, not a symlink to one: point KCS_OUTPUT at the directory itself`,
    ENOTDIR: `${dir} must be a directory: point KCS_OUTPUT at the volume's mount point`,
    EISDIR: `remove the directory that stands in the way in ${dir}; ${ONLY_OURS}`,
  };
  return new KcsError(
    {
      code: 'OUTPUT_NOT_WRITABLE',
      message: `cannot publish to ${dir}: ${step} failed (${code})`,
      hint: hints[code] ?? `check the volume mounted at ${dir}`,
      file: dir,
    },
    { cause: err },
  );
}
