// The output directory: opened once per publish, taken when running as root, and locked so that one
// writer publishes at a time. See docs/threat-model.md for why each step is here.
import fs from 'node:fs';
import os from 'node:os';
import { KcsError } from '../findings.js';
import { Dir } from './dir.js';

/** The output directory's mode: others may read and enter it, only its owner may change entries. */
export const MODE_OUTPUT = 0o755;

/**
 * Opens the output directory, creating it first if needed. As root it is taken: owner root, group
 * KCS_OWNER's, mode 0755, so no other uid can create, rename or replace an entry in it (the attack
 * of a co-tenant that swaps a generation directory for a symlink mid-write needs exactly that).
 */
export function openOutput(dir: string, owner?: { uid: number; gid: number }): Dir {
  fs.mkdirSync(dir, { recursive: true, mode: MODE_OUTPUT });
  const out = Dir.openReal(dir);
  try {
    if (process.geteuid?.() === 0) {
      const st = out.stat();
      const gid = owner?.gid ?? 0;
      if (st.uid !== 0 || st.gid !== gid) out.chown(0, gid);
      if ((st.mode & 0o7777) !== MODE_OUTPUT) out.chmod(MODE_OUTPUT);
    }
    return out;
  } catch (err) {
    out.close();
    throw err;
  }
}

export const LOCK = '..kcs.lock';
/** A lock older than this was left by a writer that died: a publish takes milliseconds, seconds
 *  when it issues an RSA key, and `watch` stops a publish worker long before this. */
export const LOCK_STALE_MS = 30_000;
/** How long a second writer waits for the first. Longer than LOCK_STALE_MS, so a lock left by a
 *  crashed writer never stops the next one. */
export const LOCK_WAIT_MS = 45_000;
const LOCK_POLL_MS = 25;

interface Holder {
  pid: number;
  host: string;
  pidns: string;
  since: string;
}

function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(out: Dir): Holder | undefined {
  try {
    return JSON.parse(out.readFile(LOCK, 4096)?.toString('utf8') ?? '') as Holder;
  } catch {
    return undefined;
  }
}

/** Stale: old, or left by a process of this host and pid namespace that is gone. */
function isStale(st: fs.Stats, holder: Holder | undefined, now: number): boolean {
  if (now - st.mtimeMs > LOCK_STALE_MS) return true;
  return (
    holder !== undefined &&
    holder.host === os.hostname() &&
    holder.pidns !== '' &&
    holder.pidns === pidNamespace() &&
    !alive(holder.pid)
  );
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Takes the output's lock, waiting for another writer to finish, and returns the release. A lock
 * that its writer left behind (killed mid-publish) is taken over once stale. `wait: false` gives up
 * at once and returns undefined (for tidying that can run later).
 */
export function lockOutput(out: Dir, opts: { wait?: boolean; waitMs?: number } = {}): (() => void) | undefined {
  const deadline = Date.now() + (opts.wait === false ? 0 : (opts.waitMs ?? LOCK_WAIT_MS));
  const me: Holder = { pid: process.pid, host: os.hostname(), pidns: pidNamespace(), since: new Date().toISOString() };
  for (;;) {
    try {
      out.writeFile(LOCK, Buffer.from(`${JSON.stringify(me)}\n`), 0o644);
      const ino = out.lstat(LOCK)!.ino;
      return () => {
        // Only our own lock: after a takeover it may be someone else's.
        if (out.lstat(LOCK)?.ino === ino) out.unlink(LOCK);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const st = out.lstat(LOCK);
    if (!st) continue;
    const holder = readHolder(out);
    if (isStale(st, holder, Date.now())) {
      // Moved aside first, then checked to be the entry judged stale: a second writer that judged
      // it stale too may have replaced it meanwhile, and its lock is put back.
      const aside = `${LOCK}.stale-${process.pid}`;
      try {
        out.rename(LOCK, aside);
        if (out.lstat(aside)?.ino === st.ino) out.unlink(aside);
        else {
          fs.linkSync(out.at(aside), out.at(LOCK));
          out.unlink(aside);
        }
      } catch {
        // someone else took it over first: try again
      }
      continue;
    }
    if (Date.now() >= deadline) {
      if (opts.wait === false) return undefined;
      const who = holder
        ? `pid ${holder.pid} on host ${holder.host} has held it since ${holder.since}`
        : `${LOCK} has been there since ${st.mtime.toISOString()}`;
      throw new KcsError({
        code: 'OUTPUT_LOCKED',
        message: `cannot publish to ${out.shown}: another writer holds it (${who})`,
        hint: `run one kestrel-cert-sidecar per output volume; a lock left by a writer that crashed is taken over after ${LOCK_STALE_MS / 1000} s`,
        file: out.shown,
      });
    }
    Atomics.wait(pause, 0, 0, LOCK_POLL_MS);
  }
}
