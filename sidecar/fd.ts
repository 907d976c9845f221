// Reads a whole regular file through a descriptor that was opened and checked (type, size, links)
// before a byte is read: the one read loop for load/files.ts and publish/dir.ts.
import fs from 'node:fs';

/** Reads up to `size` bytes from the start of `fd`; a file that shrank meanwhile gives fewer. */
export function readFd(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = fs.readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
