// The output's lock, `..kcs.lock`: one writer publishes at a time. The output may be written by
// other uids (docs/threat-model.md), so a lock is judged only when it is provably ours: a regular
// file of our uid with one link. Anything else at that name (a file of another uid, a directory, a
// symlink, a hard link) is no lock of ours: as root, when the output is already root's, it is moved
// aside and removed (nobody else could have put it there since); otherwise the publish is refused
// with OUTPUT_LOCKED, which names the risk. Staleness is never judged by a time another uid set.
import fs from 'node:fs';
import os from 'node:os';
import { fail } from '../findings.js';
import { messages } from '../messages/index.js';
import type { Dir } from './dir.js';

export const LOCK = '..kcs.lock';
/** A lock older than this was left by a writer that died: a publish takes milliseconds, seconds
 *  when it issues an RSA key, and `watch` stops a publish worker long before this. */
export const LOCK_STALE_MS = 30_000;
/** An empty lock older than this was left by a writer killed between creating it and writing its
 *  holder, which takes microseconds: no need to wait LOCK_STALE_MS for it. */
export const LOCK_EMPTY_STALE_MS = 1000;
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

export interface Lock {
  release: () => void;
  /** What stood at the lock's name and was not ours, and was removed (as root). */
  repaired: string[];
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

/** What the entry at LOCK is when it is not a lock of ours, or undefined when it is ours. */
function foreign(st: fs.Stats): string | undefined {
  const me = process.geteuid?.() ?? 0;
  if (st.isSymbolicLink()) return `a symlink of uid ${st.uid}`;
  if (st.isDirectory()) return `a directory of uid ${st.uid}`;
  if (!st.isFile()) return `a special file of uid ${st.uid}`;
  if (st.uid !== me) return `a file of uid ${st.uid}`;
  if (st.nlink !== 1) return `a file with ${st.nlink} links`;
  return undefined;
}

/** Stale: old by our own clock, empty for a moment, or left by a process of this host that is gone. */
function isStale(st: fs.Stats, holder: Holder | undefined, now: number): boolean {
  if (now - st.mtimeMs > LOCK_STALE_MS) return true;
  if (st.size === 0 && now - st.mtimeMs > LOCK_EMPTY_STALE_MS) return true;
  return (
    holder !== undefined &&
    holder.host === os.hostname() &&
    holder.pidns !== '' &&
    holder.pidns === pidNamespace() &&
    !alive(holder.pid)
  );
}

/** Creates the lock with the holder in it; a lock whose content could not be written is removed. */
function create(out: Dir, me: Holder): (() => void) | undefined {
  try {
    out.writeFile(LOCK, Buffer.from(`${JSON.stringify(me)}\n`), 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
  }
  const ino = out.lstat(LOCK)!.ino;
  // Only our own lock: after a takeover it may be someone else's.
  return () => {
    if (out.lstat(LOCK)?.ino === ino) out.unlink(LOCK);
  };
}

/** Moves a stale lock aside, then checks it is the entry judged stale: a second writer that judged
 *  it stale too may have replaced it meanwhile, and its lock is put back. */
function takeOver(out: Dir, st: fs.Stats): void {
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
}

function refuse(out: Dir, what: string): never {
  fail(messages.OUTPUT_LOCKED.foreign({ dir: out.shown, lock: LOCK, what }), out.shown);
}

/**
 * Takes the output's lock, waiting for another writer to finish. `owned`: the output directory is
 * the sidecar's alone (root's, taken by openOutput), so a foreign entry at the lock's name predates
 * it and is removed. `wait: false` gives up at once and returns undefined (for tidying).
 */
export function lockOutput(
  out: Dir,
  opts: { wait?: boolean; waitMs?: number; owned?: boolean } = {},
): Lock | undefined {
  const deadline = Date.now() + (opts.wait === false ? 0 : (opts.waitMs ?? LOCK_WAIT_MS));
  const me: Holder = { pid: process.pid, host: os.hostname(), pidns: pidNamespace(), since: new Date().toISOString() };
  const repaired: string[] = [];
  for (;;) {
    const release = create(out, me);
    if (release) return { release, repaired };
    const st = out.lstat(LOCK);
    if (!st) continue;
    const what = foreign(st);
    if (what !== undefined) {
      if (!opts.owned) refuse(out, what);
      out.remove(LOCK);
      repaired.push(`${LOCK} was ${what}, not a lock of this sidecar; removed`);
      continue;
    }
    const holder = readHolder(out);
    if (isStale(st, holder, Date.now())) {
      takeOver(out, st);
      continue;
    }
    if (Date.now() >= deadline) {
      if (opts.wait === false) return undefined;
      const who = holder
        ? `pid ${holder.pid} on host ${holder.host} has held it since ${holder.since}`
        : `${LOCK} has been there since ${st.mtime.toISOString()}`;
      fail(messages.OUTPUT_LOCKED.held({ dir: out.shown, who, staleSeconds: LOCK_STALE_MS / 1000 }), out.shown);
    }
    Atomics.wait(pause, 0, 0, LOCK_POLL_MS);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
