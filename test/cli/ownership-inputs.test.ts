// Issue 23, the inputs and the trust side: what the sidecar trusts outside the output it publishes.
// Each attack of the outside review runs as it was described, against the built CLI (or, for the system
// trust store, against a store in a temporary directory), and must now fail. The attacker is uid 1654,
// the app of every ASP.NET Core image; the attacks that need a second uid run only as root (as CI runs).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/helpers.js';
import { missing, needs, needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const APP = 1654;

/** A directory every uid can enter, as a volume's parent is. */
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-oi-'));
  fs.chmodSync(d, 0o755);
  return d;
}
function run(args: string[], env: Record<string, string> = {}, opts: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, HOME: tmp(), ...env },
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}
/** Runs a shell command as the attacker, uid 1654. */
function asApp(script: string): void {
  const r = spawnSync('sh', ['-c', script], { uid: APP, gid: APP, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`attacker script failed: ${r.stderr}`);
}
/** Every byte under `dir` (following its links, as the app reads it), as text. */
function everything(dir: string): string {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((p) => path.join(dir, p))
    .filter((p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    })
    .map((p) => fs.readFileSync(p, 'latin1'))
    .join('\n');
}
const pemOf = (file: string) => `${new crypto.X509Certificate(fs.readFileSync(file)).toString().trim()}\n`;

describe.runIf(needsRoot('trust under sudo (an attacker uid)'))(
  'trust takes no CA from the output unless --ca names it',
  () => {
    const d = tmp();
    const out = path.join(d, 'out');
    const state = path.join(d, 'state');
    const rootHome = tmp(); // root's HOME under sudo: no CA of its own
    beforeAll(() => {
      expect(run(['init', '--output', out, '--state', state]).code).toBe(0);
      // The app rewrites the live ca.crt with a CA of its own where it can (the files of a generation
      // were its own); with the set out of its reach, the CA in the output is the sidecar's. Either
      // way, `trust` run by root without a CA of its own must not take it.
      spawnSync('sh', ['-c', `chmod u+w ${out}/ca.crt && cat ${fixture('root.crt')} > ${out}/ca.crt`], {
        uid: APP,
        gid: APP,
      });
    });

    it.each([['--print'], ['--status']])(
      "sudo trust %s with no CA in root's state: a finding that says why and what to run, nothing printed",
      (action) => {
        const r = run(['trust', action, '--output', out], { HOME: rootHome, SUDO_USER: 'you' });
        const file = `${rootHome}/.local/share/kestrel-cert-sidecar/ca/ca.crt`;
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
          `SOURCE_NOT_FOUND no development CA in ${file}: trust takes the CA from KCS_STATE or --ca, ` +
            "never from the output's ca.crt, which other containers can write\n" +
            'fix: this ran as root (sudo), whose state holds no CA: as you, run ' +
            `\`kestrel-cert-sidecar trust --print > ca.crt\`, then \`sudo kestrel-cert-sidecar trust ${action} --ca ` +
            `ca.crt\`\n`,
        );
        expect(r.code).toBe(3);
      },
    );

    it('without a state at all (KCS_STATE unset, no HOME), the same: the output is not a fallback', () => {
      const r = run(['trust', '--print', '--output', out], { HOME: '' });
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^SOURCE_NOT_FOUND no development CA to trust: KCS_STATE is unset/);
      expect(r.code).toBe(3);
    });

    it("the state's CA, or --ca naming any file (the output's ca.crt included), is what it takes", () => {
      expect(run(['trust', '--print', '--output', out, '--state', state]).stdout).toBe(
        pemOf(path.join(state, 'ca/ca.crt')),
      );
      const named = run(['trust', '--print', '--ca', path.join(out, 'ca.crt')], { HOME: rootHome });
      expect(named.stdout).toBe(pemOf(path.join(out, 'ca.crt')));
    });
  },
);

describe('KCS_OUTPUT and KCS_MOUNT_PATH cannot add a variable to kestrel.env', () => {
  const hook = '\nDOTNET_STARTUP_HOOKS=/https/evil.dll';
  it.each([
    ['KCS_OUTPUT', 'a line break', (d: string) => ({ KCS_OUTPUT: `${d}/out${hook}` })],
    ['KCS_MOUNT_PATH', 'a line break', (d: string) => ({ KCS_OUTPUT: `${d}/out`, KCS_MOUNT_PATH: `/https${hook}` })],
    ['KCS_MOUNT_PATH', 'a control character', (d: string) => ({ KCS_OUTPUT: `${d}/out`, KCS_MOUNT_PATH: '/ht\ttps' })],
  ])('%s holding %s is CONFIG_INVALID, and nothing is published', (name, said, env) => {
    const d = tmp();
    const e: Record<string, string> = env(d);
    const r = run(['init'], { ...e, KCS_STATE: path.join(d, 'state') });
    const shown = e[name]!.replace(/\n/g, '\\n').replace(/\t/g, '\\t');
    expect(r.stderr).toBe(
      `CONFIG_INVALID ${name} \`${shown}\` holds ${said}: it is written into kestrel.env, one variable a line\n` +
        `fix: set ${name} to a path without control characters\n`,
    );
    expect(r.code).toBe(2);
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

/** A copy of a fixture directory, owned by `uid` (the attacker's source directory, or a secret's mount). */
function copyDir(from: string, uid = 0): string {
  const d = path.join(tmp(), 'src');
  fs.cpSync(fixture(from), d, { recursive: true, verbatimSymlinks: true });
  if (uid) spawnSync('chown', ['-R', `${uid}:${uid}`, d]);
  return d;
}
/** A Kubernetes secret mount holding `password`: password -> ..data/password, ..data -> ..<time>. */
function k8sSecret(password: string): string {
  const d = path.join(tmp(), 'secret');
  fs.mkdirSync(path.join(d, '..2026_01_01_00_00_00.000000001'), { recursive: true });
  fs.writeFileSync(path.join(d, '..2026_01_01_00_00_00.000000001', 'password'), `${password}\n`);
  fs.symlinkSync('..2026_01_01_00_00_00.000000001', path.join(d, '..data'));
  fs.symlinkSync('..data/password', path.join(d, 'password'));
  return path.join(d, 'password');
}
const PASS = 'fixture-Pa55';
const envFile = (out: string) => fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8');

describe.runIf(needsRoot('password files in a source another uid writes'))(
  "password files follow the source's link rule, and only a password that opened something is published",
  () => {
    // A secret only root reads: what the app must never see.
    const secretDir = tmp();
    const secret = path.join(secretDir, 'root-only');
    beforeAll(() => fs.writeFileSync(secret, 'the-root-only-secret\n', { mode: 0o600 }));

    it.each([
      ['KCS_PASSWORD_FILE', 'pem-encrypted'],
      ['KCS_OUTPUT_PASSWORD_FILE', 'pem-pkcs8'],
      ['KCS_USER_SECRETS', 'pem-encrypted'],
    ])('%s: a link planted by uid 1654 in the source to a root-only file is SOURCE_UNREADABLE', (variable, from) => {
      const src = copyDir(from, APP);
      asApp(`ln -s ${secret} ${src}/password`);
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--source', src, '--output', out, '--kestrel-format', 'pfx'], {
        [variable]: `${src}/password`,
      });
      expect(r.stderr).toBe(
        `SOURCE_UNREADABLE cannot read ${variable} ${src}/password: it is a symlink to ${secret}, outside its own ` +
          `directory ${src}\nfix: point ${variable} at the secret file itself (a Docker secret in /run/secrets, ` +
          "a Kubernetes secret's mount)\n",
      );
      expect(r.code).toBe(3);
      expect(fs.existsSync(path.join(out, 'kestrel.env'))).toBe(false);
    });

    it.each([['KCS_PASSWORD_FILE'], ['KCS_OUTPUT_PASSWORD_FILE']])(
      '%s: a Kubernetes secret mount (links through ..data inside its directory) works',
      (variable) => {
        const out = path.join(tmp(), 'out');
        const r = run(['init', '--source', fixture('pem-encrypted'), '--output', out, '--kestrel-format', 'pfx'], {
          ...(variable === 'KCS_PASSWORD_FILE' ? {} : { KCS_PASSWORD: PASS }),
          [variable]: k8sSecret(PASS),
        });
        expect(r.code, r.stderr).toBe(0);
        expect(envFile(out)).toContain(`__Password=${PASS}\n`);
      },
    );

    it.each([
      ['an unencrypted PEM key', 'pem-pkcs8'],
      ['a PFX without a password', 'nopassword.pfx'],
    ])('a password given for %s opened nothing, so it is not published: a generated one is', (_what, from) => {
      const src = from.endsWith('.pfx') ? fixture(from) : copyDir(from);
      const pw = path.join(tmp(), 'password');
      fs.writeFileSync(pw, 'a-password-that-opened-nothing\n');
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--source', src, '--output', out, '--kestrel-format', 'pfx'], { KCS_PASSWORD_FILE: pw });
      expect(r.code, r.stderr).toBe(0);
      expect(everything(out)).not.toContain('a-password-that-opened-nothing');
      const generated = fs.readFileSync(path.join(out, 'cert.password'), 'utf8');
      expect(envFile(out)).toContain(`__Password=${generated}\n`);
    });

    it.each([
      ['KCS_PASSWORD_FILE', 'a NUL', `${PASS}\0DOTNET_STARTUP_HOOKS=/x.dll\n`, 'NUL'],
      ['KCS_PASSWORD_FILE', 'a line break', `${PASS}\nDOTNET_STARTUP_HOOKS=/x.dll\n`, 'line break'],
      ['KCS_OUTPUT_PASSWORD_FILE', 'a line break', `out\r\nDOTNET_STARTUP_HOOKS=/x.dll\n`, 'line break'],
    ])('%s holding %s is CONFIG_INVALID, and the password is not shown', (variable, _what, text, said) => {
      const pw = path.join(tmp(), 'password');
      fs.writeFileSync(pw, text);
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--source', fixture('pem-encrypted'), '--output', out, '--kestrel-format', 'pfx'], {
        ...(variable === 'KCS_PASSWORD_FILE' ? {} : { KCS_PASSWORD: PASS }),
        [variable]: pw,
      });
      expect(r.stderr).toBe(
        `CONFIG_INVALID the password in ${variable} ${pw} holds a ${said} (after the one trailing newline that is ` +
          "stripped)\nfix: write the password on one line, with no NUL: kestrel.env and the app's environment carry " +
          'it as one line\n',
      );
      expect(r.code).toBe(2);
      expect(fs.existsSync(path.join(out, 'kestrel.env'))).toBe(false);
    });
  },
);

describe('the development CA key is never a source', () => {
  const d = tmp();
  const state = path.join(d, 'state');
  beforeAll(() => expect(run(['init', '--output', path.join(d, 'o'), '--state', state]).code).toBe(0));
  const caKeyOf = (out: string) => fs.existsSync(path.join(out, 'tls.key'));

  it.each([
    ["the state's ca/ directory", () => path.join(state, 'ca'), 'is inside', (s: string) => s],
    ['the state itself', () => state, 'is inside', (s: string) => s],
    [
      "a symlink to the state's ca/ directory (compared by real path)",
      () => {
        const link = path.join(tmp(), 'certs');
        fs.symlinkSync(path.join(state, 'ca'), link);
        return link;
      },
      'is inside',
      (s: string) => `${s} (${path.join(state, 'ca')})`,
    ],
  ])('KCS_SOURCE at %s is CONFIG_INVALID, and nothing is published', (_what, source, says, shown) => {
    const src = source();
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--source', src, '--output', out, '--state', state]);
    expect(r.stderr).toBe(
      `CONFIG_INVALID KCS_SOURCE ${shown(src)} ${says} KCS_STATE ${state}, where the development CA key is kept\n` +
        'fix: the CA key must never be published: point KCS_SOURCE at your certificate and key, apart from ' +
        'KCS_STATE, or unset it to have a leaf issued by the CA\n',
    );
    expect(r.code).toBe(2);
    expect(caKeyOf(out)).toBe(false);
  });

  it.runIf(needsRoot('a source that uid 1654 writes, holding the state'))(
    'a source directory holding the state, with links into it planted by uid 1654, is CONFIG_INVALID',
    () => {
      const src = path.join(tmp(), 'certs');
      fs.mkdirSync(src);
      fs.chownSync(src, APP, APP);
      const inner = path.join(src, 'state');
      expect(run(['init', '--output', path.join(tmp(), 'o'), '--state', inner]).code).toBe(0);
      asApp(`ln -s state/ca/ca.crt ${src}/tls.crt && ln -s state/ca/ca.key ${src}/tls.key`);
      const out = path.join(tmp(), 'out');
      const r = run(['init', '--source', src, '--output', out, '--state', inner]);
      expect(r.stderr).toMatch(new RegExp(`^CONFIG_INVALID KCS_SOURCE ${src} holds KCS_STATE ${inner}, `));
      expect(r.code).toBe(2);
      expect(caKeyOf(out)).toBe(false);
    },
  );

  it.each([
    ['a copy', (from: string, to: string) => fs.copyFileSync(from, to)],
    ['a hard link', (from: string, to: string) => fs.linkSync(from, to)],
  ])('the CA key arriving as %s in a source of its own is CA_KEY_IN_SOURCE, for init and check', (_how, put) => {
    const src = path.join(tmp(), 'certs');
    fs.mkdirSync(src);
    put(path.join(state, 'ca/ca.crt'), path.join(src, 'tls.crt'));
    put(path.join(state, 'ca/ca.key'), path.join(src, 'tls.key'));
    const out = path.join(tmp(), 'out');
    const sha = new crypto.X509Certificate(fs.readFileSync(path.join(state, 'ca/ca.crt'))).fingerprint256;
    const r = run(['init', '--source', src, '--output', out, '--state', state]);
    expect(r.stderr).toBe(
      `CA_KEY_IN_SOURCE ${src} holds the private key of the development CA in ${state}/ca (sha256 ${sha}): ` +
        'published as tls.key, it would let every reader of the volume issue certificates that the machines ' +
        'trusting this CA accept\nfix: point KCS_SOURCE at a certificate and key of their own (never at ' +
        'KCS_STATE or a copy of it), or unset it to have a leaf issued by the CA\n',
    );
    expect(r.code).toBe(4);
    expect(caKeyOf(out)).toBe(false);
    const c = run(['check', '--json', '--source', src, '--state', state]);
    expect(c.code).toBe(4);
    expect(JSON.parse(c.stdout).findings.map((f: { code: string }) => f.code)).toContain('CA_KEY_IN_SOURCE');
  });

  it('a self-signed CA:TRUE server certificate with a key of its own stays accepted', () => {
    // The conformance matrix's `openssl-ca-leaf` (test/conformance/producers.ts): Kestrel serves a leaf
    // with basicConstraints CA:TRUE and the strict clients accept it, so only the dev CA's key is refused.
    const src = path.join(tmp(), 'certs');
    fs.mkdirSync(src);
    const ext = ['subjectAltName=DNS:localhost', 'basicConstraints=critical,CA:TRUE'];
    ext.push('keyUsage=critical,digitalSignature,keyCertSign', 'extendedKeyUsage=serverAuth');
    const r0 = spawnSync('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost'],
      ...ext.flatMap((e) => ['-addext', e]),
      ...['-days', '365', '-keyout', path.join(src, 'tls.key'), '-out', path.join(src, 'tls.crt')],
    ]);
    expect(r0.status).toBe(0);
    const out = path.join(tmp(), 'out');
    const r = run(['init', '--source', src, '--output', out, '--state', state]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'tls.crt'), 'utf8')).toBe(fs.readFileSync(path.join(src, 'tls.crt'), 'utf8'));
  });
});

describe.runIf(needs('durable CA writes (strace)', missing('strace', ['-V']), 'sudo apt-get install -y strace'))(
  'the development CA reaches the disk before its names do',
  () => {
    it('each file is fsynced before the rename that names it, and the state directory after', () => {
      const d = tmp();
      const state = path.join(d, 'state');
      const t = spawnSync(
        'strace',
        [
          ...['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2', '-o', path.join(d, 'trace')],
          ...[process.execPath, BIN, 'init', '--output', path.join(d, 'out'), '--state', state],
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: d }, timeout: 60_000 },
      );
      expect(t.status, t.stderr).toBe(0);
      // One event a line: `fsync(<path>)` or `rename(<from> -> <to>)`, in the order the kernel saw them.
      const events = fs
        .readFileSync(path.join(d, 'trace'), 'utf8')
        .split('\n')
        .flatMap((l) => {
          const f = /\bf(?:data)?sync\(\d+<([^>]+)>\) = 0/.exec(l);
          if (f) return [`fsync(${f[1]})`];
          const m = /\brename(?:at2?)?\((?:[^"]*)"([^"]+)",(?:[^"]*)"([^"]+)"[^)]*\) = 0/.exec(l);
          return m && m[1]!.startsWith(state) ? [`rename(${m[1]} -> ${m[2]})`] : [];
        })
        .filter((e) => e.includes(state))
        .map((e) => e.replaceAll(state, 'STATE').replace(/\.tmp-[A-Za-z0-9]{6}/g, '.tmp-X'));
      expect(events).toEqual([
        'fsync(STATE/.tmp-X/ca.key)',
        'fsync(STATE/.tmp-X/ca.crt)',
        'fsync(STATE/.tmp-X)',
        'fsync(STATE/kcs-state.json)',
        'rename(STATE/.tmp-X -> STATE/ca)',
        'fsync(STATE)',
        expect.stringMatching(/^fsync\(STATE\/\.tmp-kcs-state\.json-\d+\)$/),
        expect.stringMatching(/^rename\(STATE\/\.tmp-kcs-state\.json-\d+ -> STATE\/kcs-state\.json\)$/),
        'fsync(STATE)',
      ]);
    });
  },
);
