// The one mapping from a file-system error in the output to OUTPUT_NOT_WRITABLE, with the fix that
// works on the runtime it sees. Only errors of the file system are mapped: anything else thrown while
// publishing is a bug, and stays one (exit 1), never "check the volume".
import fs from 'node:fs';
import { raise } from '../findings.js';
import { messages } from '../messages/index.js';

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
function notWritable(dir: string, step: string, errno: string, uidMap?: string) {
  const data = { dir, step, errno, uid: process.geteuid?.(), userNamespace: inUserNamespace(uidMap) };
  return messages.OUTPUT_NOT_WRITABLE.failed(data);
}

/** The fix for a permission error (EACCES, EPERM), for the runtime this runs on. */
export function permissionFix(dir: string, code: string, uidMap?: string): string {
  return notWritable(dir, '', code, uidMap).hint;
}

export function outputError(err: unknown, dir: string, step: string): unknown {
  if (!isSystemError(err)) return err;
  return raise(notWritable(dir, step, err.code!), dir, err);
}
