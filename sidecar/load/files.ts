// The one place that reads input files. Size and type are checked before a byte is read, and a
// symlink may not lead out of the source directory (Kubernetes' ..data links stay inside it).
import fs from 'node:fs';
import path from 'node:path';
import { KcsError, fail } from '../findings.js';
import { readFd } from '../fd.js';
import { MAX_INPUT_BYTES } from '../limits.js';

const kib = (n: number) => `${Math.ceil(n / 1024).toLocaleString('en-US')} KiB`;

export function unreadableHint(): string {
  const uid = process.getuid?.();
  return uid === 0
    ? 'check the mount: the file must be readable by root'
    : `make the file readable by uid ${uid} (for example chmod 0444, or chgrp to the sidecar's group and chmod 0440), or run the sidecar as root, which hands the published files to KCS_OWNER`;
}

export function ioError(err: NodeJS.ErrnoException, file: string, what = 'cannot read'): KcsError {
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
    return new KcsError(
      {
        code: 'SOURCE_NOT_FOUND',
        message: `${what} ${file}: it does not exist`,
        hint: 'check KCS_SOURCE and the volume mount that should provide it',
        file,
      },
      { cause: err },
    );
  }
  if (err.code === 'EACCES' || err.code === 'EPERM') {
    return new KcsError(
      { code: 'SOURCE_UNREADABLE', message: `${what} ${file}: permission denied`, hint: unreadableHint(), file },
      { cause: err },
    );
  }
  if (err.code === 'ELOOP') {
    return new KcsError(
      {
        code: 'SOURCE_UNREADABLE',
        message: `${what} ${file}: its symlinks loop`,
        hint: 'fix the symlink so it points at a file',
        file,
      },
      { cause: err },
    );
  }
  return new KcsError(
    {
      code: 'SOURCE_UNREADABLE',
      message: `${what} ${file}: ${err.code ?? err.message}`,
      hint: 'check the volume mount and the file',
      file,
    },
    { cause: err },
  );
}

function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Reads one input file. `root`, when given, is the source directory the file must resolve inside.
 */
export function readInput(file: string, root?: string, opts: { allowEmpty?: boolean } = {}): Buffer {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, file);
  }
  if (root !== undefined) {
    const realRoot = fs.realpathSync(root);
    if (!isInside(real, realRoot)) {
      fail(
        'SOURCE_UNREADABLE',
        `cannot read ${file}: it is a symlink to ${real}, outside the source directory ${root}`,
        'copy the file into the source directory, or point KCS_SOURCE (or KCS_CERT_FILE) at it directly',
        file,
      );
    }
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw ioError(err as NodeJS.ErrnoException, file);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file';
      fail(
        'SOURCE_UNREADABLE',
        `cannot read ${file}: it is ${kind}, not a regular file`,
        'point KCS_SOURCE (or KCS_CERT_FILE) at the certificate file itself',
        file,
      );
    }
    if (st.size > MAX_INPUT_BYTES) {
      fail(
        'FILE_TOO_LARGE',
        `cannot read ${file}: it is ${kib(st.size)}, more than the ${kib(MAX_INPUT_BYTES)} a certificate file can need`,
        'point KCS_SOURCE at the certificate and key only (a PFX or PEM pair is a few kilobytes)',
        file,
      );
    }
    if (st.size === 0 && !opts.allowEmpty)
      fail(
        'FILE_CORRUPT',
        `cannot read ${file}: the file is empty`,
        'the copy or export did not finish; write the file again',
        file,
      );
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
  return new KcsError(
    { ...err.finding, message: `${verb} ${file}: ${err.finding.message}`, file },
    { cause: err.cause ?? err },
  );
}
