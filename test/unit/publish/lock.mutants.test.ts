// The output's lock (sidecar/publish/lock.ts) on real directories: what is a lock of ours, what is
// refused or (when the output is ours alone) removed, when a lock is stale, and the words of
// OUTPUT_LOCKED. Written to kill lock.ts's mutants (docs/testing.md, "Mutation score"). The tests run as
// any uid; the one that needs a file of another uid is skipped when not root.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KcsError } from '../../../sidecar/findings.js';
import { Dir } from '../../../sidecar/publish/dir.js';
import { LOCK, lockOutput } from '../../../sidecar/publish/lock.js';

let dir: string;
let out: Dir;
const lockFile = () => path.join(dir, LOCK);
const pidns = () => fs.readlinkSync('/proc/self/ns/pid');
const holder = (h: Partial<{ pid: number; host: string; pidns: string; since: string }> = {}) =>
  JSON.stringify({ pid: process.pid, host: os.hostname(), pidns: pidns(), since: '2026-01-01T00:00:00.000Z', ...h });
/** A lock file of ours, `ageMs` old by its mtime. */
function lockOf(content: string, ageMs = 0): void {
  fs.writeFileSync(lockFile(), content);
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(lockFile(), t, t);
}
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KcsError);
    return (err as KcsError).finding;
  }
  throw new Error('not refused');
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-lock-'));
  out = Dir.open(dir);
});
afterEach(() => out.close());

describe('lockOutput', () => {
  it('creates the lock with its holder, and release removes it', () => {
    const lock = lockOutput(out)!;
    expect(lock.repaired).toEqual([]);
    const h = JSON.parse(fs.readFileSync(lockFile(), 'utf8'));
    expect(h).toEqual({ pid: process.pid, host: os.hostname(), pidns: pidns(), since: expect.any(String) });
    expect(Math.abs(Date.parse(h.since) - Date.now())).toBeLessThan(60_000);
    expect(fs.readFileSync(lockFile(), 'utf8').endsWith('}\n')).toBe(true);
    lock.release();
    expect(fs.existsSync(lockFile())).toBe(false);
  });

  it('releases only its own lock: one that replaced it after a takeover stays', () => {
    const lock = lockOutput(out)!;
    // Written beside it and renamed over it, so the new lock cannot reuse the old one's inode.
    fs.writeFileSync(path.join(dir, 'next'), holder({ pid: 1 }));
    fs.renameSync(path.join(dir, 'next'), lockFile());
    lock.release();
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(holder({ pid: 1 }));
  });

  it.each([
    ['a directory of uid', () => fs.mkdirSync(lockFile())],
    ['a symlink of uid', () => fs.symlinkSync('/etc/passwd', lockFile())],
    ['a special file of uid', () => execFileSync('mkfifo', [lockFile()])],
  ])('refuses %s N at its name, naming the risk and the fix', (what, make) => {
    make();
    const me = process.geteuid!();
    expect(refused(() => lockOutput(out, { wait: false }))).toEqual({
      code: 'OUTPUT_LOCKED',
      severity: 'error',
      message:
        `cannot publish to ${dir}: ${LOCK} is ${what} ${me}, not a lock of this sidecar; another uid can write ` +
        'the output, and could hold or change any publish',
      hint:
        `remove ${dir}/${LOCK}, mount the volume read-only in every other container, or run the sidecar as root ` +
        '(it takes the output directory)',
      file: dir,
    });
  });

  it('refuses a lock file with a second link', () => {
    lockOf(holder());
    fs.linkSync(lockFile(), path.join(dir, 'other'));
    expect(refused(() => lockOutput(out)).message).toContain(`${LOCK} is a file with 2 links, not a lock`);
  });

  it.skipIf(process.geteuid?.() !== 0)('refuses a lock file of another uid', () => {
    lockOf(holder());
    fs.chownSync(lockFile(), 4242, 4242);
    expect(refused(() => lockOutput(out)).message).toContain(`${LOCK} is a file of uid 4242, not a lock`);
  });

  it('removes what stands at its name when the output is its own, and says so', () => {
    fs.mkdirSync(lockFile());
    fs.writeFileSync(path.join(lockFile(), 'x'), '');
    const lock = lockOutput(out, { owned: true })!;
    expect(lock.repaired).toEqual([
      `${LOCK} was a directory of uid ${process.geteuid!()}, not a lock of this sidecar; removed`,
    ]);
    expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
  });

  it('gives up at once without waiting, and leaves a live lock alone', () => {
    lockOf(holder());
    const start = Date.now();
    expect(lockOutput(out, { wait: false })).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(5000);
    expect(fs.readFileSync(lockFile(), 'utf8')).toBe(holder());
  });

  it('takes over a lock older than 30 s, and one of a dead process of this host and pid namespace', () => {
    lockOf(holder(), 31_000);
    expect(lockOutput(out, { wait: false })).toBeDefined();
    fs.rmSync(lockFile());
    lockOf(holder({ pid: deadPid() }));
    expect(lockOutput(out, { wait: false })).toBeDefined();
    expect(JSON.parse(fs.readFileSync(lockFile(), 'utf8')).pid).toBe(process.pid);
  });

  it('does not take over a younger lock of a live process', () => {
    lockOf(holder(), 25_000);
    expect(lockOutput(out, { wait: false })).toBeUndefined();
  });

  it.each([
    ['another host', { host: 'elsewhere' }],
    ['an unknown pid namespace', { pidns: '' }],
    ['another pid namespace', { pidns: 'pid:[1]' }],
  ])('does not judge a dead pid of %s', (_what, h) => {
    lockOf(holder({ pid: deadPid(), ...h }));
    expect(lockOutput(out, { wait: false })).toBeUndefined();
  });

  it('takes over an empty lock after a second, not before', () => {
    lockOf('');
    expect(lockOutput(out, { wait: false })).toBeUndefined();
    lockOf('', 2000);
    expect(lockOutput(out, { wait: false })).toBeDefined();
    lockOf(holder(), 2000);
    fs.rmSync(lockFile());
    lockOf(`${holder()}\n`, 2000);
    expect(lockOutput(out, { wait: false })).toBeUndefined();
  });

  it('waits for the holder, then names it', () => {
    lockOf(holder());
    const start = Date.now();
    expect(refused(() => lockOutput(out, { waitMs: 200 }))).toEqual({
      code: 'OUTPUT_LOCKED',
      severity: 'error',
      message:
        `cannot publish to ${dir}: another writer holds it (pid ${process.pid} on host ${os.hostname()} has held ` +
        'it since 2026-01-01T00:00:00.000Z)',
      hint:
        'run one kestrel-cert-sidecar per output volume; a lock left by a writer that crashed is taken over ' +
        'after 30 s',
      file: dir,
    });
    expect(Date.now() - start).toBeGreaterThanOrEqual(200);
  });

  it('names the time of a lock whose holder it cannot read', () => {
    lockOf('not json');
    const mtime = fs.statSync(lockFile()).mtime.toISOString();
    expect(refused(() => lockOutput(out, { waitMs: 50 })).message).toBe(
      `cannot publish to ${dir}: another writer holds it (${LOCK} has been there since ${mtime})`,
    );
  });
});
