// The one mapping of a file-system error in the output to OUTPUT_NOT_WRITABLE (sidecar/publish/errors.ts),
// with the fix for the runtime it sees. Written to kill errors.ts's mutants (docs/testing.md, "Mutation
// score"). The errors are real ones, made by failing system calls in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { inUserNamespace, isSystemError, outputError, permissionFix } from '../../../sidecar/publish/errors.js';

const IDENTITY = '         0          0 4294967295\n';
const ROOTLESS = '         0       1000          1\n         1     100000      65536\n';
/** The error a real system call throws. */
function failing(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not fail');
}
const uid = process.geteuid!();

describe('errors of the output', () => {
  it('tells a system error from any other', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-err-'));
    expect(isSystemError(failing(() => fs.readFileSync(path.join(dir, 'none'))))).toBe(true);
    expect(isSystemError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isSystemError(Object.assign(new Error('x'), { code: 'XENOENT' }))).toBe(false);
    expect(isSystemError(Object.assign(new Error('x'), { code: 7 }))).toBe(false);
    expect(isSystemError({ code: 'ENOENT' })).toBe(false);
    expect(isSystemError(undefined)).toBe(false);
  });

  it('knows a user namespace by its uid map', () => {
    expect(inUserNamespace(IDENTITY)).toBe(false);
    expect(inUserNamespace('')).toBe(false);
    expect(inUserNamespace('\n')).toBe(false);
    expect(inUserNamespace(ROOTLESS)).toBe(true);
    expect(inUserNamespace('0 1000 1\n')).toBe(true);
    expect(inUserNamespace(`${IDENTITY}${IDENTITY}`)).toBe(true);
    expect(inUserNamespace('x0 0 4294967295\n')).toBe(true);
    expect(inUserNamespace('0 0 4294967295x\n')).toBe(true);
    expect(inUserNamespace(fs.readFileSync('/proc/self/uid_map', 'utf8'))).toBe(inUserNamespace());
  });

  it('gives the fix for the runtime: a user namespace, a chown, a directory not writable', () => {
    expect(permissionFix('/out', 'EACCES', ROOTLESS)).toBe(
      `in a user namespace (rootless Podman) a bind mount belongs to a host uid that is not uid ${uid} here: ` +
        `mount it with :U (-v DIR:/out:U), or run \`podman unshare chown ${uid}:${uid} DIR\` on the host, ` +
        'or use a named volume',
    );
    expect(permissionFix('/out', 'EPERM', IDENTITY)).toBe(
      'run the sidecar as root to publish files for another owner, or set KCS_OWNER to the current uid:gid',
    );
    expect(permissionFix('/out', 'EACCES', IDENTITY)).toBe(
      `make /out writable by uid ${uid} (a named volume, or chown the bind mount), or run the sidecar as root`,
    );
  });

  it('maps a system error to OUTPUT_NOT_WRITABLE with its step, code and fix, keeping the cause', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-err-'));
    fs.writeFileSync(path.join(dir, 'file'), '');
    const cause = failing(() => fs.mkdirSync(path.join(dir, 'file', 'sub')));
    const err = outputError(cause, '/out', 'creating the generation') as KcsError;
    expect(err).toBeInstanceOf(KcsError);
    expect(err.finding).toEqual({
      code: 'OUTPUT_NOT_WRITABLE',
      severity: 'error',
      message: 'cannot publish to /out: creating the generation failed (ENOTDIR)',
      hint: "/out must be a directory: point KCS_OUTPUT at the volume's mount point",
      file: '/out',
    });
    expect(err.cause).toBe(cause);
  });

  it.each([
    ['EROFS', 'mount /out read-write in the sidecar (only the app mounts it read-only)'],
    ['ENOSPC', 'free space on the volume that holds /out; the live set was left as it was'],
    ['EDQUOT', 'raise the quota of the volume that holds /out; the live set was left as it was'],
    ['ELOOP', '/out must be a directory, not a symlink to one: point KCS_OUTPUT at the directory itself'],
    [
      'EISDIR',
      'remove the directory that stands in the way in /out; the sidecar replaces only its own entries and files',
    ],
    ['EIO', 'check the volume mounted at /out'],
  ])('says what to do about %s', (code, hint) => {
    const err = outputError(Object.assign(new Error(code), { code }), '/out', 'writing') as KcsError;
    expect(err.finding.hint).toBe(hint);
  });

  it('gives the permission fix for EACCES and EPERM', () => {
    for (const code of ['EACCES', 'EPERM']) {
      const err = outputError(Object.assign(new Error(code), { code }), '/out', 'writing') as KcsError;
      expect(err.finding.hint).toBe(permissionFix('/out', code));
    }
  });

  it('leaves any other error as it is: a bug stays a bug', () => {
    const bug = new TypeError('x is undefined');
    expect(outputError(bug, '/out', 'writing')).toBe(bug);
    const coded = Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(outputError(coded, '/out', 'writing')).toBe(coded);
  });
});
