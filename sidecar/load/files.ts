// The one place that reads input files. Size and type are checked before a byte is read, and a
// symlink may not lead out of the source directory (Kubernetes' ..data links stay inside it), except
// into certbot's archive/<name> beside a live/<name> source (sourceRoots).
import fs from 'node:fs';
import path from 'node:path';
import { KcsError, fail, raise } from '../findings.js';
import { readFd } from '../fd.js';
import { MAX_INPUT_BYTES } from '../limits.js';
import { located, messages } from '../messages/index.js';

export function ioError(err: NodeJS.ErrnoException, file: string, what = 'cannot read'): KcsError {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
    return raise(messages.SOURCE_NOT_FOUND.missing({ what, file }), file, err);
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return raise(messages.SOURCE_UNREADABLE.permissionDenied({ what, file, uid: process.getuid?.() }), file, err);
  }
  if (err.code === 'ELOOP') {
    return raise(messages.SOURCE_UNREADABLE.symlinkLoop({ what, file }), file, err);
  }
  return raise(messages.SOURCE_UNREADABLE.io({ what, file, reason: err.code ?? err.message }), file, err);
}

function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The directories the files of a source directory may resolve into, by real path. A hostile source
 * must not make us publish an arbitrary file (a link to /etc/shadow or to the CA key in KCS_STATE),
 * so links may not lead out of the directory the user named; Kubernetes' `..data` links stay inside it.
 * One exception, for certbot: every file of `<config>/live/<name>/` is a relative link into
 * `../../archive/<name>/` (cert1.pem, privkey1.pem, ...). When the source is `live/<name>`, its
 * sibling `archive/<name>`, a real directory (not itself a link), is allowed too, and nothing else:
 * it is certbot's own copy of the same lineage, written by whoever writes `live/<name>`.
 */
export function sourceRoots(source: string): string[] {
  const real = fs.realpathSync(source);
  const roots = [real];
  if (path.basename(path.dirname(real)) === 'live') {
    const archive = path.join(path.dirname(path.dirname(real)), 'archive', path.basename(real));
    try {
      if (fs.lstatSync(archive).isDirectory()) roots.push(archive);
    } catch {
      // no archive beside it: only the source itself
    }
  }
  return roots;
}

/** A link whose target is missing: certbot's live/ links when only live/<name> is mounted. */
function danglingLink(file: string, err: NodeJS.ErrnoException): KcsError | undefined {
  let target: string;
  try {
    if (!fs.lstatSync(file).isSymbolicLink()) return undefined;
    target = fs.readlinkSync(file);
  } catch {
    return undefined;
  }
  const certbot = /(^|\/)archive\//.test(target);
  return raise(messages.SOURCE_NOT_FOUND.danglingLink({ file, target, certbot }), file, err);
}

/** The real path of `file`, which must lie inside one of `roots` (see sourceRoots). */
function resolveInside(file: string, roots: readonly string[] | undefined): string {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw (e.code === 'ENOENT' && danglingLink(file, e)) || ioError(e, file);
  }
  if (roots !== undefined && !roots.some((r) => isInside(real, r))) {
    fail(messages.SOURCE_UNREADABLE.linkOutside({ file, real, root: roots[0] }), file);
  }
  return real;
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads one input file. `root`, when given, is the source directory (or the directories of
 * sourceRoots) the file must resolve inside.
 */
export function readInput(
  file: string,
  root?: string | readonly string[],
  opts: { allowEmpty?: boolean; maxBytes?: number } = {},
): Buffer {
  const roots = root === undefined ? undefined : typeof root === 'string' ? [fs.realpathSync(root)] : root;
  const real = resolveInside(file, roots);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // open(2) of a file for reading fails with ENXIO only for a socket or a device without its driver (its
    // man page), before fstat can say what stands there: stat says it. Undefined if it has gone since.
    const st = e.code === 'ENXIO' ? fs.statSync(real, { throwIfNoEntry: false }) : undefined;
    if (st) fail(messages.SOURCE_UNREADABLE.notRegular({ file, kind: kindOf(st) }), file);
    throw ioError(e, file);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) fail(messages.SOURCE_UNREADABLE.notRegular({ file, kind: kindOf(st) }), file);
    if (opts.maxBytes !== undefined) return readFd(fd, Math.min(st.size, opts.maxBytes));
    if (st.size > MAX_INPUT_BYTES) {
      fail(messages.FILE_TOO_LARGE.file({ file, size: st.size, limit: MAX_INPUT_BYTES }), file);
    }
    if (st.size === 0 && !opts.allowEmpty) fail(messages.FILE_CORRUPT.empty({ file }), file);
    return readFd(fd, st.size);
  } catch (err) {
    if (err instanceof KcsError) throw err;
    throw ioError(err as NodeJS.ErrnoException, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Prefixes a parser's finding with the file it came from: `cannot open /certs/api.pfx: ...`. */
export function inFile(err: unknown, file: string, verb: string): unknown {
  if (!(err instanceof KcsError) || err.finding.file) return err;
  return raise(located(err.finding, verb, file), file, err.cause ?? err);
}
