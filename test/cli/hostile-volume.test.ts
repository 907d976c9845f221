// The output volume is hostile input (docs/threat-model.md). Each attack of the outside review is
// reproduced as it was described, against the built CLI, and must now fail. The attacks that need
// two uids run only as root (as CI runs): the attacker is uid 1654, as the app or a co-tenant.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../sidecar/settings/config.js';
import { outputFingerprint, startWatch } from '../../sidecar/watch/watch.js';
import { Dir } from '../../sidecar/publish/dir.js';
import { nextGeneration } from '../../sidecar/publish/generations.js';
import type { FileSet } from '../../sidecar/publish/layout.js';
import { LOCK, LOCK_STALE_MS, lockOutput as takeLock } from '../../sidecar/publish/lock.js';
import { openOutput } from '../../sidecar/publish/output.js';
import { readPublished, tidyOutput } from '../../sidecar/publish/published.js';
import { cleanupIn } from '../../sidecar/publish/tidy.js';
import { Volume } from '../../sidecar/publish/volume.js';
import { fixture } from '../support/helpers.js';
import { needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');

/** One publish of `files` through the volume (open and lock, read the live set, write), as the pipeline does. */
function writeAtomically(dir: string, build: () => FileSet, opts: { now: Date; digest: string }) {
  const volume = Volume.open(dir);
  try {
    const generation = nextGeneration(opts.now, volume.live.generation);
    return volume.write({ kind: 'new', generation, files: build() }, opts.now);
  } finally {
    volume.close();
  }
}
const cleanup = (dir: string, now: Date) => Dir.using(dir, (out) => cleanupIn(out, now));
const liveGeneration = (dir: string) => readPublished(dir, [], true).generation;
const relink = (dir: string) => tidyOutput(dir, 'relink');
/** The lock's release, as the old interface returned it. */
const lockOutput = (out: Dir, opts: Parameters<typeof takeLock>[1] = {}) => takeLock(out, opts)?.release;
const APP = 1654;

/** A directory every uid can enter, as a volume's parent is. */
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-hv-'));
  fs.chmodSync(d, 0o755);
  return d;
}
function run(args: string[], env: Record<string, string> = {}, opts: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: os.tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}
/** Runs a shell command as the attacker, uid 1654. */
function asApp(script: string) {
  const r = spawnSync('sh', ['-c', script], { uid: APP, gid: APP, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`attacker script failed: ${r.stderr}`);
}
const body = (pem: string) =>
  pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() && !e.isSymbolicLink() ? [p, ...walk(p)] : [p];
  });
}
/** Every byte of the live set of `out`, as the app reads it. */
function published(out: string): string {
  return walk(fs.realpathSync(path.join(out, '..data')))
    .filter((p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    })
    .map((p) => fs.readFileSync(p, 'latin1').replace(/\n/g, ''))
    .join('\n');
}

describe.runIf(needsRoot('hostile volume V1 (an attacker uid)'))(
  'V1: nothing in the output can make the sidecar publish a file it can read',
  () => {
    it.each([
      ['the CA key', (state: string) => path.join(state, 'ca', 'ca.key'), 'evil'],
      ['/etc/shadow', () => '/etc/shadow', 'evil'],
      [
        'the CA key, through a directory named like a generation',
        (state: string) => path.join(state, 'ca', 'ca.key'),
        '..2030_01_01_00_00_00.000000',
      ],
    ])(
      'a ..data planted by uid 1654 that leads cert.password to %s is replaced, not read',
      (_what, target, dirName) => {
        const d = tmp();
        const out = path.join(d, 'out');
        const state = path.join(d, 'state');
        // A volume the app can write (a forgotten :ro, a fresh named volume owned by 1654).
        fs.mkdirSync(out);
        fs.chownSync(out, APP, APP);
        expect(run(['init', '--output', out, '--state', state]).code).toBe(0);
        fs.chownSync(out, APP, APP); // as it was before a sidecar of this version took it
        const secret = target(state);
        asApp(
          `cd ${out} && mkdir ${dirName} && ln -s ${secret} ${dirName}/cert.password && ` +
            `ln -s ${dirName} ..d && mv -T ..d ..data`,
        );
        const r = run(['init', '--output', out, '--state', state]);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(
          new RegExp(
            `^warning: OUTPUT_REPAIRED ${out}: \\.\\.data points at .*${
              dirName === 'evil'
                ? 'which is not a generation of ours'
                : `which belongs to uid ${APP}, not to this sidecar \\(uid 0\\)`
            }; replaced by a new generation\\nfix: `,
            'm',
          ),
        );
        const live = fs.readlinkSync(path.join(out, '..data'));
        expect(live).not.toBe(dirName);
        expect(fs.lstatSync(path.join(out, live)).uid).toBe(0);
        const secretBody = body(fs.readFileSync(secret, 'utf8'));
        expect(secretBody.length).toBeGreaterThan(20);
        expect(published(out)).not.toContain(secretBody.slice(0, 40));
        expect(fs.readFileSync(path.join(out, 'cert.password'), 'utf8')).not.toContain(secretBody.slice(0, 20));
      },
    );

    it('a sidecar running as the same uid as the attacker follows no symlink it finds in a generation', () => {
      const d = tmp();
      const out = path.join(d, 'out');
      const state = path.join(d, 'state');
      fs.mkdirSync(out);
      fs.mkdirSync(state, { mode: 0o700 });
      fs.chownSync(out, APP, APP);
      fs.chownSync(state, APP, APP);
      const asSidecar = { uid: APP, gid: APP };
      expect(run(['init', '--output', out, '--state', state], {}, asSidecar).code).toBe(0);
      // The same uid can write anything in the output: it plants a generation of its own.
      const caKey = path.join(state, 'ca', 'ca.key');
      asApp(
        `cd ${out} && mkdir ..2030_01_01_00_00_00.000000 && ` +
          `ln -s ${caKey} ..2030_01_01_00_00_00.000000/cert.password && ` +
          'ln -s ..2030_01_01_00_00_00.000000 ..d && mv -T ..d ..data',
      );
      expect(run(['init', '--output', out, '--state', state], {}, asSidecar).code).toBe(0);
      expect(published(out)).not.toContain(body(fs.readFileSync(caKey, 'utf8')).slice(0, 40));
    });
  },
);

describe('V3: KCS_STATE is compared with KCS_OUTPUT by real path', () => {
  it('refuses a KCS_STATE that is a symlink to the output, and writes no CA key there', () => {
    const d = tmp();
    const out = path.join(d, 'out');
    fs.mkdirSync(out);
    fs.symlinkSync(out, path.join(d, 'st-link'));
    const r = run(['init'], { KCS_OUTPUT: out, KCS_STATE: path.join(d, 'st-link') });
    expect(r.stderr).toBe(
      `CONFIG_INVALID KCS_STATE ${path.join(d, 'st-link')} (${fs.realpathSync(out)}) is inside KCS_OUTPUT ${out}\n` +
        'fix: the CA key must never reach the shared volume: ' +
        'point KCS_STATE at a private directory apart from KCS_OUTPUT\n',
    );
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(out, 'ca'))).toBe(false);
  });

  it('refuses a KCS_STATE inside a symlinked output, before either exists', () => {
    const d = tmp();
    fs.mkdirSync(path.join(d, 'vol'));
    fs.symlinkSync(path.join(d, 'vol'), path.join(d, 'out'));
    const r = run(['init', '--output', path.join(d, 'out'), '--state', path.join(d, 'vol', 'sub', 'state')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^CONFIG_INVALID KCS_STATE .* is inside KCS_OUTPUT/);
  });
});

describe('V4: no error path quotes a secret file', () => {
  it('a malformed secrets.json holding the password is reported without a byte of it, even with --verbose', () => {
    const d = tmp();
    const secrets = path.join(d, 'secrets.json');
    fs.writeFileSync(secrets, `{ "Kestrel:Certificates:Development:Password": 'S3cr3t-Al"pha-9' }`);
    const r = run([
      'init',
      '--verbose',
      '--output',
      path.join(d, 'out'),
      '--source',
      fixture('openssl3-modern.pfx'),
      '--user-secrets',
      secrets,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`CONFIG_INVALID cannot read ${secrets}: it is not valid JSON\n`);
    for (const part of ['S3cr3t', 'Al"pha', 'pha-9', "'S3", 'assword":'])
      expect(r.stderr + r.stdout).not.toContain(part);
  });
});

describe('R3: "current" means every published name resolves to the live generation', () => {
  it('a removed tls.key is restored by the next init, which says so', () => {
    const out = path.join(tmp(), 'out');
    expect(run(['init', '--output', out, '--source', fixture('pem-pkcs8')]).code).toBe(0);
    fs.rmSync(path.join(out, 'tls.key'));
    const r = run(['init', '--output', out, '--source', fixture('pem-pkcs8')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^unchanged: /);
    expect(r.stderr).toContain(
      `warning: OUTPUT_REPAIRED ${out}: tls.key was missing\nfix: nothing: it was replaced; ` +
        'if another container writes this volume, mount it read-only there (docs/threat-model.md)\n',
    );
    expect(fs.readlinkSync(path.join(out, 'tls.key'))).toBe('..data/tls.key');
    expect(fs.readFileSync(path.join(out, 'tls.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('after a publisher was killed between the ..data swap and the links, the next init links every name', () => {
    const out = path.join(tmp(), 'out');
    expect(run(['init', '--output', out, '--source', fixture('pem-pkcs8')]).code).toBe(0);
    // What a SIGKILL right after step (7) of a first publish leaves: ..data, and no names.
    for (const n of fs.readdirSync(out)) if (!n.startsWith('.')) fs.rmSync(path.join(out, n));
    const r = run(['init', '--output', out, '--source', fixture('pem-pkcs8')]);
    expect(r.code).toBe(0);
    for (const n of [
      'tls.crt',
      'tls.key',
      'ca.crt',
      'cert.pfx',
      'kestrel.env',
      'kestrel.json',
      'manifest.json',
      'trust',
    ]) {
      expect(fs.readlinkSync(path.join(out, n))).toBe(`..data/${n}`);
    }
  });
});

describe('R4: a clock that went backwards', () => {
  it('publishes 40 changed sets after a generation named in the future, with short names, and cleans them up', () => {
    const out = path.join(tmp(), 'out');
    const future = new Date('2031-01-01T00:00:00Z');
    const set = (n: number) =>
      new Map([
        ['tls.crt', { data: Buffer.from(`c${n}`), mode: 0o444 }],
        ['manifest.json', { data: Buffer.from(JSON.stringify({ contentDigest: `d${n}` })), mode: 0o444 }],
      ]);
    writeAtomically(out, () => set(-1), { now: future, digest: 'd-1' });
    const names: string[] = [];
    for (let i = 0; i < 40; i++)
      names.push(writeAtomically(out, () => set(i), { now: new Date(), digest: `d${i}` }).generation);
    expect(names.at(-1)).toBe('..2031_01_01_00_00_00.000000_000040');
    expect(Math.max(...names.map((n) => n.length))).toBe(35);
    expect(fs.readFileSync(path.join(out, 'tls.crt'), 'utf8')).toBe('c39');
    // Retired by this machine's clock, not by names from the future: gone once the grace period passed.
    cleanup(out, new Date(Date.now() + 11_000));
    expect(fs.readdirSync(out).filter((n) => n.startsWith('..2'))).toEqual([names.at(-1)]);
  });
});

describe('R5: one writer at a time', () => {
  it('a second writer waits for the lock, and a lock left by a dead writer is taken over', () => {
    const out = path.join(tmp(), 'out');
    const dir = openOutput(out);
    const release = lockOutput(dir)!;
    // Held: a second writer that will not wait gets nothing.
    expect(lockOutput(openOutput(out), { wait: false })).toBeUndefined();
    release();
    expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
    // Left by a process of this host that is gone: taken over at once.
    fs.writeFileSync(
      path.join(out, LOCK),
      JSON.stringify({
        pid: 2 ** 22 + 17,
        host: os.hostname(),
        pidns: fs.readlinkSync('/proc/self/ns/pid'),
        since: new Date().toISOString(),
      }),
    );
    const again = lockOutput(openOutput(out), { wait: false });
    expect(again).toBeTypeOf('function');
    again!();
    // Left by a writer elsewhere: taken over once it is older than LOCK_STALE_MS.
    fs.writeFileSync(
      path.join(out, LOCK),
      JSON.stringify({ pid: 1, host: 'another-host', pidns: 'pid:[1]', since: 'then' }),
    );
    expect(lockOutput(openOutput(out), { wait: false })).toBeUndefined();
    const old = new Date(Date.now() - LOCK_STALE_MS - 1000);
    fs.utimesSync(path.join(out, LOCK), old, old);
    expect(lockOutput(openOutput(out), { wait: false })).toBeTypeOf('function');
    dir.close();
  });

  it('a writer that does not get the lock in time says who holds it (OUTPUT_LOCKED), and leaves the lock', () => {
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out);
    const held = JSON.stringify({ pid: 4242, host: 'sidecar-a', pidns: 'pid:[1]', since: '2026-11-27T10:00:00.000Z' });
    fs.writeFileSync(path.join(out, LOCK), held);
    // A live writer on another host (fresh, not stale). The CLI waits LOCK_WAIT_MS (45 s); the same
    // path is taken here with a wait of 300 ms.
    const dir = openOutput(out);
    try {
      expect(() => lockOutput(dir, { waitMs: 300 })).toThrow(
        expect.objectContaining({
          finding: expect.objectContaining({
            code: 'OUTPUT_LOCKED',
            message:
              `cannot publish to ${out}: another writer holds it ` +
              '(pid 4242 on host sidecar-a has held it since 2026-11-27T10:00:00.000Z)',
            hint:
              'run one kestrel-cert-sidecar per output volume; ' +
              'a lock left by a writer that crashed is taken over after 30 s',
          }),
        }),
      );
    } finally {
      dir.close();
    }
    expect(fs.readFileSync(path.join(out, LOCK), 'utf8')).toBe(held);
  });
});

describe('R6: a dangling or foreign ..data is repaired', () => {
  it('..data pointing at /etc is replaced by a generation of ours, once, with a warning', () => {
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out);
    fs.symlinkSync('/etc', path.join(out, '..data'));
    const r = run(['init', '--output', out, '--source', fixture('pem-pkcs8')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: OUTPUT_REPAIRED ${out}: ..data points at "/etc", which is not a generation of ours; ` +
        'replaced by a new generation\n',
    );
    const live = fs.readlinkSync(path.join(out, '..data'));
    expect(live).toMatch(/^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{6}$/);
    const again = run(['init', '--output', out, '--source', fixture('pem-pkcs8')]);
    expect(again.stdout).toMatch(/^unchanged: /);
    expect(again.stderr).not.toContain('OUTPUT_REPAIRED');
    expect(fs.readlinkSync(path.join(out, '..data'))).toBe(live);
  });
});

describe('R7: a damaged state is STATE_INVALID, never a silent new CA', () => {
  it('a state whose ca/ was deleted is refused by init', () => {
    const d = tmp();
    const state = path.join(d, 'state');
    expect(run(['init', '--output', path.join(d, 'out'), '--state', state]).code).toBe(0);
    const before = fs.readFileSync(path.join(d, 'out', 'ca.crt'), 'utf8');
    fs.rmSync(path.join(state, 'ca'), { recursive: true });
    const r = run(['init', '--output', path.join(d, 'out'), '--state', state, '--hostnames', 'other']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^STATE_INVALID the CA that ${state} held \\(sha256 [0-9A-F:]{95}\\) is gone: ${state}/ca was removed\\n` +
          `fix: restore ${state}/ca from a backup; or, to start over with a new CA that clients must trust again, ` +
          `delete ${state}/kcs-state.json\\n$`,
      ),
    );
    expect(fs.readFileSync(path.join(d, 'out', 'ca.crt'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(state, 'ca'))).toBe(false);
  });

  it('watch keeps the last good set and reports STATE_INVALID when ca/ disappears under it', async () => {
    const d = tmp();
    const state = path.join(d, 'state');
    const cfg = loadConfig({ KCS_HEALTH_PORT: '0', KCS_OUTPUT: path.join(d, 'out'), KCS_STATE: state }, ['watch']);
    const lines: string[] = [];
    const w = await startWatch(cfg, { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    try {
      const before = fs.readFileSync(path.join(d, 'out', 'ca.crt'), 'utf8');
      fs.rmSync(path.join(state, 'ca'), { recursive: true });
      await w.trigger('renewal');
      expect(w.state).toMatchObject({ degraded: true, lastFinding: { code: 'STATE_INVALID' } });
      const port = (w.server!.address() as { port: number }).port;
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).text()).toMatch(
        /^ready, degraded: the last attempt failed \(STATE_INVALID the CA that .* is gone/,
      );
      expect(fs.readFileSync(path.join(d, 'out', 'ca.crt'), 'utf8')).toBe(before);
    } finally {
      await w.stop();
    }
  });
});

describe('R8: system directories are refused as the output', () => {
  it.each(['/', '/etc', '/usr', '/var/lib', '/proc/self', '/etc/ssl/certs'])('--output %s is CONFIG_INVALID', (dir) => {
    const r = run(['init', '--output', dir, '--source', fixture('pem-pkcs8')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`^CONFIG_INVALID KCS_OUTPUT \/.* is a system directory\n` +
          String.raw`fix: point KCS_OUTPUT at a directory of its own, such as a volume mounted at \/https\n$`,
      ),
    );
  });

  it('a symlink to /etc is refused too', () => {
    const link = path.join(tmp(), 'out');
    fs.symlinkSync('/etc', link);
    expect(run(['init', '--output', link, '--source', fixture('pem-pkcs8')]).stderr).toBe(
      `CONFIG_INVALID KCS_OUTPUT ${link} (/etc) is a system directory\n` +
        'fix: point KCS_OUTPUT at a directory of its own, such as a volume mounted at /https\n',
    );
  });

  it('a ca.crt that is not ours is replaced only with a warning that names it', () => {
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'ca.crt'), 'somebody else\n');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'left alone\n');
    const r = run(['init', '--output', out, '--source', fixture('pem-pkcs8')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: OUTPUT_REPAIRED ${out}: ca.crt was a file not made by kestrel-cert-sidecar\n` +
        'fix: nothing: it was replaced; if another container writes this volume, ' +
        'mount it read-only there (docs/threat-model.md)\n',
    );
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('left alone\n');
  });
});

describe('R1: the clean-up meets what it did not make', () => {
  it('a directory named like a temporary link is removed, without following anything in it, and nothing throws', () => {
    const out = path.join(tmp(), 'out');
    expect(run(['init', '--output', out, '--source', fixture('pem-pkcs8')]).code).toBe(0);
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'keep'), 'x');
    fs.mkdirSync(path.join(out, '..data_tmp'));
    fs.symlinkSync(outside, path.join(out, '..data_tmp', 'link'));
    fs.mkdirSync(path.join(out, '..tls.key_tmp', 'deeper'), { recursive: true });
    expect(() => cleanup(out, new Date())).not.toThrow();
    expect(fs.readdirSync(out).filter((n) => n.endsWith('_tmp'))).toEqual([]);
    expect(fs.readFileSync(path.join(outside, 'keep'), 'utf8')).toBe('x');
  });
});

describe("an output named through a symlink of the user's (KCS_OUTPUT=/https -> /mnt/vol)", () => {
  it('is published, cleaned up, re-linked and fingerprinted through the directory it names', () => {
    const d = tmp();
    fs.mkdirSync(path.join(d, 'vol'));
    const link = path.join(d, 'out');
    fs.symlinkSync(path.join(d, 'vol'), link);
    const set = (n: string) =>
      new Map([
        ['tls.crt', { data: Buffer.from(n), mode: 0o444 }],
        ['manifest.json', { data: Buffer.from(JSON.stringify({ contentDigest: n })), mode: 0o444 }],
      ]);
    const a = writeAtomically(link, () => set('a'), { now: new Date(), digest: 'a' });
    const b = writeAtomically(link, () => set('b'), { now: new Date(), digest: 'b' });
    expect(liveGeneration(link)).toBe(b.generation);
    const before = fs.lstatSync(path.join(d, 'vol', 'tls.crt')).ino;
    relink(link);
    expect(fs.lstatSync(path.join(d, 'vol', 'tls.crt')).ino).not.toBe(before);
    cleanup(link, new Date(Date.now() + 11_000));
    expect(fs.existsSync(path.join(d, 'vol', a.generation))).toBe(false);
    expect(outputFingerprint(link)).toContain(`..data->${b.generation}`);
  });
});

describe('the health server of watch', () => {
  it('a port in use is CONFIG_INVALID, said before anything is published', async () => {
    const server = (await import('node:net')).createServer().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const d = tmp();
    try {
      const r = run([
        'watch',
        '--output',
        path.join(d, 'out'),
        '--health-port',
        String(port),
        '--health-address',
        '127.0.0.1',
      ]);
      expect(r.stderr).toBe(
        `CONFIG_INVALID the health server cannot listen on 127.0.0.1, port ${port}: the port is in use\n` +
          'fix: set KCS_HEALTH_PORT to a free port (0 picks one), or stop what listens there\n',
      );
      expect(r.code).toBe(2);
      expect(fs.existsSync(path.join(d, 'out', '..data'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('KCS_HEALTH_ADDRESS keeps it on one address; unset, the log says it listens on every address', async () => {
    const d = tmp();
    const lines: string[] = [];
    const io = { out: (x: string) => lines.push(x), err: (x: string) => lines.push(x) };
    const local = await startWatch(
      loadConfig(
        {
          KCS_HEALTH_PORT: '0',
          KCS_HEALTH_ADDRESS: '127.0.0.1',
          KCS_OUTPUT: path.join(d, 'a'),
          KCS_SOURCE: fixture('pem-pkcs8'),
        },
        ['watch'],
      ),
      io,
    );
    const every = await startWatch(
      loadConfig({ KCS_HEALTH_PORT: '0', KCS_OUTPUT: path.join(d, 'b'), KCS_SOURCE: fixture('pem-pkcs8') }, ['watch']),
      io,
    );
    try {
      expect((local.server!.address() as { address: string }).address).toBe('127.0.0.1');
      expect((every.server!.address() as { address: string }).address).toBe('::');
    } finally {
      await local.stop();
      await every.stop();
    }
    const child = spawn(
      process.execPath,
      [BIN, 'watch', '--output', path.join(d, 'c'), '--source', fixture('pem-pkcs8'), '--health-port', '0'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr.on('data', (x: Buffer) => (log += x.toString()));
    const end = Date.now() + 20_000;
    while (!log.includes('health on') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(log).toMatch(
      new RegExp(
        String.raw`info: watching .*pem-pkcs8; health on :\d+ ` +
          String.raw`\(every address; set KCS_HEALTH_ADDRESS=127\.0\.0\.1 to keep it on this host\)\n`,
      ),
    );
  });
});

describe('smaller items of the review', () => {
  it.each([
    [
      'KCS_OWNER',
      '4294967295:1654',
      /^CONFIG_INVALID KCS_OWNER `4294967295:1654` is not valid: use uid:gid with numbers from 0 to 4294967294/,
    ],
    ['KCS_OWNER', '99999999999:1', /^CONFIG_INVALID KCS_OWNER `99999999999:1` is not valid/],
    [
      'KCS_HOSTNAMES',
      '999.1.1.1',
      new RegExp(
        String.raw`^CONFIG_INVALID KCS_HOSTNAMES name ${'`'}999\.1\.1\.1${'`'} ` +
          'is neither an IP address nor a DNS name ' +
          String.raw`\(its last label is a number\)\nfix: write an IPv4 address as four numbers from 0 to 255`,
      ),
    ],
    ['KCS_HOSTNAMES', '1.2.3', /^CONFIG_INVALID KCS_HOSTNAMES name `1\.2\.3` is neither an IP address nor a DNS name/],
    [
      'KCS_HOSTNAMES',
      '::ffff:1.2.3.4',
      new RegExp(
        String.raw`^CONFIG_INVALID KCS_HOSTNAMES address ${'`'}::ffff:1\.2\.3\.4${'`'} ` +
          'is an IPv4-mapped IPv6 address: ' +
          String.raw`clients reach that host as 1\.2\.3\.4, and a certificate names it by its 4-byte address\n` +
          String.raw`fix: write 1\.2\.3\.4\n$`,
      ),
    ],
  ])('%s=%s is CONFIG_INVALID', (name, value, want) => {
    const r = run(['init', '--output', path.join(tmp(), 'out')], { [name]: value });
    expect(r.stderr).toMatch(want);
    expect(r.code).toBe(2);
  });

  it.each([
    ['.', 'x1'],
    ['..', 'x1'],
    ['Api', '.'],
    ['Api', '..'],
  ])('KCS_APP_NAME=%s KCS_USER_SECRETS_ID=%s is CONFIG_INVALID', (app, id) => {
    expect(() => loadConfig({ KCS_APP_NAME: app, KCS_USER_SECRETS_ID: id }, ['init'])).toThrow(
      /^CONFIG_INVALID KCS_(APP_NAME|USER_SECRETS_ID) `\.\.?` is not/,
    );
  });

  it('keeps a 63-character DNS name and a real IP address', () => {
    expect(
      loadConfig({ KCS_HOSTNAMES: `${'a'.repeat(63)}.example,10.0.0.5,::1,1.2.3.4a` }, ['init']).hostnames,
    ).toHaveLength(4);
  });
});

describe.runIf(needsRoot('the output taken by root'))('the output is taken by root before anything is written', () => {
  it('a volume owned by the app becomes root:<KCS_OWNER group> 0755: the app can add or rename no entry', () => {
    const out = path.join(tmp(), 'out');
    fs.mkdirSync(out, { mode: 0o777 });
    fs.chownSync(out, APP, APP);
    expect(run(['init', '--output', out, '--source', fixture('pem-pkcs8')]).code).toBe(0);
    const st = fs.statSync(out);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) }).toEqual({
      uid: 0,
      gid: APP,
      mode: '755',
    });
    const r = spawnSync('sh', ['-c', `touch ${out}/x; mv ${out}/..data ${out}/y`], {
      uid: APP,
      gid: APP,
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(/Permission denied[\s\S]*Permission denied/);
    expect(fs.existsSync(path.join(out, 'x'))).toBe(false);
  });
});
