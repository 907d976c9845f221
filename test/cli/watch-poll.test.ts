// `watch` on a mount that delivers no inotify events, as Docker Desktop's 9p and a Podman machine's
// virtiofs serve a Windows or macOS folder: made here with bindfs, a real FUSE mount, where a write to
// the directory behind it raises no event on the mount (MACHINES.md), beside an ordinary directory
// that does. The mount also shows what 9p shows: every file 0777 and root's, chmod refused.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { POLL_MS, mountOf, parseMountinfo } from '../../sidecar/watch/mounts.js';
import { publishedSha, readFixture, until } from '../support/helpers.js';
import { ENABLE, missing, needsAll } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-poll-'));
const fp = (leaf: string) => new crypto.X509Certificate(readFixture(`${leaf}.crt`)).fingerprint256;

/** Writes a file the way a careful tool does: to a temporary name, then rename. */
const put = (file: string, data: Buffer) => {
  fs.writeFileSync(`${file}.part`, data);
  fs.renameSync(`${file}.part`, file);
};
const certOf = (leaf: string) => Buffer.concat([readFixture(`${leaf}.crt`), readFixture('inter.crt')]);
/** Key and chain in one file: a rotation is then one rename. */
const bundleOf = (leaf: string) => Buffer.concat([readFixture(`${leaf}.key`), certOf(leaf)]);

const canMount = needsAll('watch on a FUSE mount (bindfs)', [
  [process.getuid?.() === 0 ? undefined : 'it needs root', ENABLE.root],
  [missing('bindfs', ['--version']), 'sudo apt-get install -y bindfs'],
]);

describe.runIf(canMount)('watch on a FUSE mount, beside an inotify directory', () => {
  const mounted: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null) {
        c.kill('SIGTERM');
        await new Promise((r) => c.once('exit', r));
      }
    }
  });
  afterAll(() => {
    for (const m of mounted) spawnSync('umount', [m]);
  });

  /** BACK mounted at MNT as 9p shows a Windows folder: all 0777 and root's, chmod and chown refused. */
  function fuseMount(): { back: string; mnt: string } {
    const back = tmp();
    const mnt = tmp();
    const r = spawnSync('bindfs', ['-p', '0777', '-u', '0', '-g', '0', '--chmod-deny', '--chown-deny', back, mnt], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`bindfs failed: ${r.stderr}`);
    mounted.push(mnt);
    return { back, mnt };
  }

  /** Runs the CLI's `watch` as a user does; resolves once it said where it watches. */
  async function watch(source: string, env: Record<string, string> = {}) {
    const out = path.join(tmp(), 'out');
    const child = spawn(process.execPath, [BIN, 'watch', '--health-port', '0'], {
      env: { ...process.env, KCS_SOURCE: source, KCS_OUTPUT: out, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const start = await until(() => /^.* watching .*$/m.exec(log)?.[0], 'the start-up line of watch');
    return { out, start, log: () => log, pid: child.pid! };
  }

  it('gets no inotify event on the mount for a write behind it, and one for a write through it', async () => {
    const { back, mnt } = fuseMount();
    expect(mountOf(mnt, parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')))?.fstype).toMatch(/^fuse/);
    const seen: string[] = [];
    const w = fs.watch(mnt, (_e, name) => seen.push(String(name)));
    try {
      fs.writeFileSync(path.join(back, 'behind'), 'x');
      fs.writeFileSync(path.join(mnt, 'through'), 'x');
      // Events arrive in order: once the write through the mount is seen, the one behind it had its chance.
      await until(() => seen.includes('through'), 'the event of the write through the mount');
      expect(seen).not.toContain('behind');
    } finally {
      w.close();
    }
  });

  it('polls the FUSE mount, says so at start, and publishes a rotation made behind it within seconds', async () => {
    const { back, mnt } = fuseMount();
    put(path.join(back, 'bundle.pem'), bundleOf('rsa2048'));
    // 9p's modes: the source shows 0777 and root's, and chmod on it fails. That is not a refusal.
    expect(fs.statSync(path.join(mnt, 'bundle.pem')).mode & 0o777).toBe(0o777);
    expect(() => fs.chmodSync(path.join(mnt, 'bundle.pem'), 0o400)).toThrow();
    const w = await watch(mnt);
    expect(w.start).toContain(
      `watching ${mnt} by polling every 2s: it is a fuse mount, which delivers no inotify ` +
        `events for changes made elsewhere`,
    );
    await until(() => publishedSha(w.out) === fp('rsa2048'), 'the first publish');
    // The published files keep their own modes, whatever the source's.
    expect(fs.statSync(path.join(w.out, 'tls.key')).mode & 0o777).toBe(0o440);
    expect(fs.statSync(path.join(w.out, 'tls.crt')).mode & 0o777).toBe(0o444);

    const t0 = Date.now();
    put(path.join(back, 'bundle.pem'), bundleOf('p256'));
    await until(() => publishedSha(w.out) === fp('p256'), 'the rotation made behind the mount', 2 * POLL_MS + 3000);
    console.log(`a rotation behind the FUSE mount was published after ${Date.now() - t0} ms (poll: ${POLL_MS} ms)`);
    expect(w.log()).not.toMatch(/error|warning/);
  });

  it('never publishes a rotation torn in two writes behind the mount', async () => {
    const { back, mnt } = fuseMount();
    put(path.join(back, 'tls.crt'), certOf('rsa2048'));
    put(path.join(back, 'tls.key'), readFixture('rsa2048.key'));
    const w = await watch(mnt);
    await until(() => publishedSha(w.out) === fp('rsa2048'), 'the first publish');
    // The new certificate first, its key a while later: the poll sees the first half alone.
    put(path.join(back, 'tls.crt'), certOf('p256'));
    await until(() => /KEY_MISMATCH/.test(w.log()), 'the half-written rotation to be refused');
    expect(publishedSha(w.out)).toBe(fp('rsa2048'));
    put(path.join(back, 'tls.key'), readFixture('p256.key'));
    await until(() => publishedSha(w.out) === fp('p256'), 'the completed rotation', 2 * POLL_MS + 3000);
    const cert = new crypto.X509Certificate(fs.readFileSync(path.join(w.out, 'tls.crt')));
    expect(cert.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(path.join(w.out, 'tls.key'))))).toBe(true);
  });

  it('takes KCS_WATCH_MODE as said: polling an inotify directory, events on the FUSE mount', async () => {
    const plain = tmp();
    put(path.join(plain, 'bundle.pem'), bundleOf('rsa2048'));
    const polled = await watch(plain, { KCS_WATCH_MODE: 'poll' });
    expect(polled.start).toContain(`watching ${plain} by polling every 2s: KCS_WATCH_MODE=poll`);
    await until(() => publishedSha(polled.out) === fp('rsa2048'), 'the first publish');
    put(path.join(plain, 'bundle.pem'), bundleOf('p384'));
    await until(() => publishedSha(polled.out) === fp('p384'), 'the polled rotation', 2 * POLL_MS + 3000);

    // events on the FUSE mount: no polling, and a write through the mount (as inside the container) is seen.
    const { back, mnt } = fuseMount();
    put(path.join(back, 'bundle.pem'), bundleOf('rsa2048'));
    const evented = await watch(mnt, { KCS_WATCH_MODE: 'events' });
    expect(evented.start).not.toContain('polling');
    await until(() => publishedSha(evented.out) === fp('rsa2048'), 'the first publish');
    put(path.join(mnt, 'bundle.pem'), bundleOf('p384'));
    await until(() => publishedSha(evented.out) === fp('p384'), 'the rotation written through the mount');
  });

  it('uses inotify on an ordinary directory, beside the mount', async () => {
    const plain = tmp();
    put(path.join(plain, 'bundle.pem'), bundleOf('rsa2048'));
    const w = await watch(plain);
    expect(w.start).toMatch(new RegExp(`watching ${plain}; health on`));
    await until(() => publishedSha(w.out) === fp('rsa2048'), 'the first publish');
    put(path.join(plain, 'bundle.pem'), bundleOf('p256'));
    // Well before the 60 s rescan: an event did it.
    await until(() => publishedSha(w.out) === fp('p256'), 'the rotation', 10_000);
  });
});
