// Writes to KCS_STATE that survive a power loss. The development CA is what every developer machine
// trusts, so losing it means trusting a new one everywhere. A rename is journaled before the data it
// names reaches the disk (ext4's delayed allocation, XFS), so a file written and renamed without
// fsync(2) can be empty after a crash, under its final name. The order that prevents it is the one
// LWN's "Ensuring data reaches disk" gives: write the file, fsync it, rename it, fsync the directory.
import fs from 'node:fs';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;

/** Creates `file` (never an existing name, nor through a link), writes `data`, sets `mode` exactly
 *  (the umask may have cleared bits) and fsyncs it before closing. */
export function writeDurably(file: string, data: string | Buffer, mode: number): void {
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncs a directory, so the names created or renamed in it are on disk too. */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
