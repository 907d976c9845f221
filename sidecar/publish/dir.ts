// A directory held open by its descriptor, with every operation inside it made relative to that
// descriptor, as openat(2) would. The output volume is hostile input (docs/threat-model.md): another
// container may rename a directory we are writing into and put a symlink in its place, so a path
// string that named our directory a moment ago may name /state or /etc now. A descriptor keeps
// naming the directory it opened. Node has no openat, but Linux resolves /proc/self/fd/N to the
// directory behind descriptor N, whatever has been renamed since, so "/proc/self/fd/N/name" is
// "name inside the directory we opened". Where /proc is missing (macOS), the real path is used:
// the guarantees of the threat model are Linux's, where containers run.
//
// Nothing here follows a symlink at the last step: directories are opened with O_NOFOLLOW, files
// are created with O_EXCL (which refuses an existing name, a symlink included) and read with
// O_NOFOLLOW, and modes and owners are set on descriptors, never on names.
import fs from 'node:fs';
import { readFd } from '../fd.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

/** One name inside a directory: no separator, not `.` or `..`, no NUL. */
export function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\0]/.test(name);
}

function plain(name: string): string {
  if (!isPlainName(name))
    throw Object.assign(new Error(`refusing a name that is not one path component: ${JSON.stringify(name)}`), {
      code: 'EINVAL',
    });
  return name;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;

export class Dir {
  private constructor(
    readonly fd: number,
    /** What messages call it. */
    readonly shown: string,
    private readonly base: string,
  ) {}

  /** Opens `dir` itself; a symlink at its last component is refused (Linux gives ENOTDIR for it under
   *  O_DIRECTORY with O_NOFOLLOW, ELOOP without O_DIRECTORY). */
  static open(dir: string, shown = dir): Dir {
    const fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    const viaProc = `/proc/self/fd/${fd}`;
    let base = dir;
    try {
      if (fs.statSync(viaProc).ino === fs.fstatSync(fd).ino) base = viaProc;
    } catch {
      // no /proc: the real path it is
    }
    return new Dir(fd, shown, base);
  }

  /** Opens the directory a path names now, through any symlinks in it (KCS_OUTPUT may be one):
   *  what is pinned is the directory it resolves to at this moment. */
  static openReal(dir: string): Dir {
    return Dir.open(fs.realpathSync(dir), dir);
  }

  /** Opens the directory a path names (through symlinks), runs `fn` on it, and closes it. */
  static using<T>(dir: string, fn: (d: Dir) => T): T {
    const d = Dir.openReal(dir);
    try {
      return fn(d);
    } finally {
      d.close();
    }
  }

  /** As `using`, but undefined when the directory cannot be opened (missing, not a directory). */
  static tryUsing<T>(dir: string, fn: (d: Dir) => T): T | undefined {
    let d: Dir;
    try {
      d = Dir.openReal(dir);
    } catch {
      return undefined;
    }
    try {
      return fn(d);
    } finally {
      d.close();
    }
  }

  /** Where this directory is now, by the kernel's account. */
  realPath(): string {
    return fs.realpathSync(this.base);
  }

  /** The path of `name` inside this directory, for calls that take a path. */
  at(name: string): string {
    return `${this.base}/${plain(name)}`;
  }

  stat(): fs.Stats {
    return fs.fstatSync(this.fd);
  }

  /** The entry itself (a symlink is not followed), or undefined when there is none. */
  lstat(name: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(this.at(name));
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** A symlink's target, or undefined when the entry is missing or not a symlink. */
  readlink(name: string): string | undefined {
    try {
      return fs.readlinkSync(this.at(name), 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'EINVAL') return undefined;
      throw err;
    }
  }

  readdir(): string[] {
    return fs.readdirSync(this.base);
  }

  /** A child directory; a symlink or a file in its place is refused (ENOTDIR, as Dir.open says). */
  openDir(name: string): Dir {
    return Dir.open(this.at(name), `${this.shown}/${name}`);
  }

  mkdir(name: string, mode: number): Dir {
    fs.mkdirSync(this.at(name), { mode });
    return this.openDir(name);
  }

  /**
   * Creates a file that did not exist (O_EXCL), writes it, and sets owner and mode on the descriptor.
   * A file that could not be written whole (a full disk) is removed: nobody may find it half-written.
   */
  writeFile(name: string, data: Buffer, mode: number, owner?: { uid: number; gid: number }): void {
    const fd = fs.openSync(this.at(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      if (owner) fs.fchownSync(fd, owner.uid, owner.gid);
      // After the chown, which clears set-id bits; and the umask may have cleared bits of the mode
      // given to open(): set it exactly.
      fs.fchmodSync(fd, mode);
    } catch (err) {
      fs.closeSync(fd);
      try {
        this.unlink(name);
      } catch {
        // the error below is the one to report
      }
      throw err;
    }
    fs.closeSync(fd);
  }

  /**
   * Reads a regular file of at most `max` bytes that is not a symlink and has one link only (a hard
   * link made by someone else could name a file outside what we wrote). Undefined for anything else.
   */
  readFile(name: string, max: number): Buffer | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.at(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch {
      return undefined;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.nlink !== 1 || st.size > max) return undefined;
      return readFd(fd, st.size);
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  symlink(target: string, name: string): void {
    fs.symlinkSync(target, this.at(name));
  }

  /** rename(2) inside this directory: atomic, and it replaces `to` itself, never what `to` points at. */
  rename(from: string, to: string): void {
    fs.renameSync(this.at(from), this.at(to));
  }

  unlink(name: string): void {
    fs.unlinkSync(this.at(name));
  }

  chmod(mode: number): void {
    fs.fchmodSync(this.fd, mode);
  }

  chown(uid: number, gid: number): void {
    fs.fchownSync(this.fd, uid, gid);
  }

  /**
   * Removes `name` and, for a directory, everything in it, never following a symlink: each
   * directory is opened with O_NOFOLLOW before it is entered, and made writable first (ours are 0555).
   */
  remove(name: string): void {
    const st = this.lstat(name);
    if (!st) return;
    if (!st.isDirectory()) {
      this.unlink(name);
      return;
    }
    let child: Dir;
    try {
      child = this.openDir(name);
    } catch (err) {
      // Replaced by a symlink or a file since the lstat (ENOTDIR; ELOOP, which open(2) documents for
      // O_NOFOLLOW, is taken too): remove that entry, not what it names.
      if (errno(err) === 'ELOOP' || errno(err) === 'ENOTDIR') {
        this.unlink(name);
        return;
      }
      throw err;
    }
    try {
      try {
        child.chmod(0o700);
      } catch {
        // not ours to chmod: the removal below says why if it matters
      }
      for (const entry of child.readdir()) child.remove(entry);
    } finally {
      child.close();
    }
    fs.rmdirSync(this.at(name));
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // closed already
    }
  }
}
