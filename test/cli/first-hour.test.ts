// The first hour on a developer's machine: a CA that persists in the per-user data directory, `trust`,
// and guidance that is right for where `init` ran (host, container, Development layout), by exact text.
// The real system store and a real browser are in test/integration/browser.test.ts.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCa } from '../../sidecar/trust/ca.js';
import { LINUX_SYSTEM_STORES } from '../../sidecar/trust/stores.js';
import { fixture } from '../support/helpers.js';
import { section } from '../support/output.js';
import { needsRoot } from '../support/skips.js';

const BIN = path.resolve('dist/kestrel-cert-sidecar.mjs');
const tmp = (p = 'kcs-first-') => fs.mkdtempSync(path.join(os.tmpdir(), p));

function run(args: string[], env: Record<string, string>, opts: { uid?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH!, ...env },
    encoding: 'utf8',
    timeout: 60_000,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The expected outputs are template literals: a line that ends in a backslash goes on in the next (a line
// continuation adds nothing to the string), so each printed line reads whole and the source stays in 120 columns.
/** init's stdout with what changes from run to run (generation, fingerprint, dates, CA id) replaced. */
const stable = (s: string) =>
  s
    .replace(/\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{6}/g, '..GEN')
    .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, 'SHA256')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ days\)/g, 'DATE')
    .replace(/development CA [0-9a-f]{8}/g, 'development CA ID');

const caFingerprint = (dir: string) =>
  new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'ca', 'ca.crt'))).fingerprint256;

describe("the CA lives where a user's CA lives", () => {
  it('two quick starts in a row print the same CA, kept in the per-user directory', () => {
    const home = tmp('kcs-home-');
    const cwd = tmp();
    const a = run(['init', '--output', path.join(cwd, 'out')], { HOME: home });
    const b = run(['init', '--output', path.join(cwd, 'out2')], { HOME: home });
    const dir = path.join(home, '.local/share/kestrel-cert-sidecar');
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.stderr).toBe('');
    expect(a.stdout).toContain(`, created in ${dir}\n`);
    expect(b.stdout).toContain(`, reused from ${dir}\n`);
    const issuer = (out: string) =>
      new crypto.X509Certificate(fs.readFileSync(path.join(cwd, out, 'ca.crt'))).fingerprint256;
    expect(issuer('out2')).toBe(issuer('out'));
    expect(issuer('out')).toBe(caFingerprint(dir));
    expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('700');
  });
});

describe('running from a clone', () => {
  it("npx kestrel-cert-sidecar runs on the project's Node 24 whatever Node runs npm, no EBADENGINE noise", () => {
    const npx = spawnSync('sh', ['-c', 'command -v npx'], { encoding: 'utf8' }).stdout.trim();
    const r = spawnSync(npx, ['kestrel-cert-sidecar', '--version'], {
      cwd: path.resolve('.'),
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: `${path.dirname(npx)}:/usr/bin:/bin`, HOME: tmp('kcs-home-') },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      new RegExp(
        `^kestrel-cert-sidecar \\d+\\.\\d+\\.\\d+ \\(Node\\.js v24\\.\\d+\\.\\d+, linux-${process.arch}\\)\\n$`,
      ),
    );
  });
});

describe('init prints guidance that is right for where it ran', () => {
  const home = tmp('kcs-home-');
  const cwd = tmp();
  const out = path.join(cwd, 'out');
  const state = path.join(home, '.local/share/kestrel-cert-sidecar');
  const HEAD = `published ..GEN to ${out}
  certificate  CN=localhost (issued by O=kestrel-cert-sidecar, CN=kestrel-cert-sidecar development CA ID)
  sha256       SHA256
  names        localhost, 127.0.0.1, ::1, host.docker.internal, host.containers.internal
  expires      DATE
  key          RSA 2048
`;

  it('on a host, with the default mount path: host paths for a Kestrel on this machine, and one trust command', () => {
    const r = run(['init', '--output', out], { HOME: home });
    expect(r.code).toBe(0);
    expect(
      stable(r.stdout),
    ).toBe(`${HEAD}  source   generated: ${state} (ca O=kestrel-cert-sidecar, CN=kestrel-cert-sidecar \
development CA ID; caCreated true; caPersisted true; leaf issued (none was published yet))
  CA           kestrel-cert-sidecar development CA ID, created in ${state}
point Kestrel at it:
  a Kestrel on this machine (dotnet run): set
    ASPNETCORE_Kestrel__Certificates__Default__Path=${out}/tls.crt
    ASPNETCORE_Kestrel__Certificates__Default__KeyPath=${out}/tls.key
  a Kestrel in a container: publish with --mount-path /https, then docker run -v ${out}:/https:ro --env-file \
${out}/kestrel.env ...
rotation: none until the app restarts, for endpoints from ASPNETCORE_HTTPS_PORTS or ASPNETCORE_URLS (docs/rotation.md)
  to rotate: --kestrel-endpoint https://+:8081 (Kestrel reloads 0-8 s after a publish), or in Program.cs \
builder.WebHost.UseKestrelCertSidecar("${out}") (under 1 s)
trust the development CA on this machine once (system store, Chromium, Firefox): npx kestrel-cert-sidecar trust \
--install
  other containers trust it with SSL_CERT_FILE=${out}/trust/ca-bundle.crt
`);
  });

  it('on a host, rerun: the CA is reused and no trust step is printed again', () => {
    const r = run(['init', '--output', out], { HOME: home });
    expect(
      section(stable(r.stdout), '  CA  '),
    ).toBe(`  CA           kestrel-cert-sidecar development CA ID, reused from ${state}
point Kestrel at it:
  a Kestrel on this machine (dotnet run): set
    ASPNETCORE_Kestrel__Certificates__Default__Path=${out}/tls.crt
    ASPNETCORE_Kestrel__Certificates__Default__KeyPath=${out}/tls.key
  a Kestrel in a container: publish with --mount-path /https, then docker run -v ${out}:/https:ro --env-file \
${out}/kestrel.env ...
rotation: none until the app restarts, for endpoints from ASPNETCORE_HTTPS_PORTS or ASPNETCORE_URLS (docs/rotation.md)
  to rotate: --kestrel-endpoint https://+:8081 (Kestrel reloads 0-8 s after a publish), or in Program.cs \
builder.WebHost.UseKestrelCertSidecar("${out}") (under 1 s)
`);
  });

  it("on a host, with KCS_MOUNT_PATH: the app's paths, and --env-file is right because kestrel.env holds them", () => {
    const o = path.join(tmp(), 'out');
    const r = run(['init', '--output', o, '--mount-path', '/https', '--kestrel-format', 'pfx'], { HOME: home });
    expect(
      section(stable(r.stdout), 'point Kestrel at it'),
    ).toBe(`point Kestrel at it: mount ${o} at /https (read-only) in the app container, and set there
  ASPNETCORE_Kestrel__Certificates__Default__Path=/https/cert.pfx
  ASPNETCORE_Kestrel__Certificates__Default__Password=(see kestrel.env)
  (docker run -v ${o}:/https:ro --env-file ${o}/kestrel.env ... sets them)
rotation: none until the app restarts, for endpoints from ASPNETCORE_HTTPS_PORTS or ASPNETCORE_URLS (docs/rotation.md)
  to rotate: --kestrel-endpoint https://+:8081 (Kestrel reloads 0-8 s after a publish), or in Program.cs \
builder.WebHost.UseKestrelCertSidecar("/https") (under 1 s)
`);
    expect(fs.readFileSync(path.join(o, 'kestrel.env'), 'utf8')).toMatch(
      /^ASPNETCORE_Kestrel__Certificates__Default__Path=\/https\/cert\.pfx\n/,
    );
  });

  it("on a host, with a KCS_STATE of its own: the trust command names the state's CA file, never the output's", () => {
    const o = path.join(tmp(), 'out');
    const s = path.join(tmp(), 'state');
    const r = run(['init', '--output', o, '--state', s], { HOME: home });
    expect(r.stdout).toContain(
      `trust the development CA on this machine once (system store, Chromium, Firefox): ` +
        `npx kestrel-cert-sidecar trust --install --ca ${s}/ca/ca.crt\n`,
    );
  });

  it('the Development layout: APPDATA and ASPNETCORE_ENVIRONMENT, not the Path lines', () => {
    const o = path.join(tmp(), 'out');
    const r = run(['init', '--output', o, '--app-name', 'Api', '--user-secrets-id', 'abc-123'], { HOME: home });
    expect(r.code).toBe(0);
    expect(
      section(stable(r.stdout), 'point Kestrel at it', 'rotation:'),
    ).toBe(`point Kestrel at it (the Development-certificate layout, as Visual Studio does it):
  a Kestrel on this machine (dotnet run): set
    APPDATA=${o}/appdata
    ASPNETCORE_ENVIRONMENT=Development
  a Kestrel in a container: docker run -v ${o}:/https:ro -e APPDATA=/https/appdata -e \
ASPNETCORE_ENVIRONMENT=Development ...
`);
  });

  it("in a container: the app's view of the volume, and how to get the CA to the host; no host commands", () => {
    const o = path.join(tmp(), 'https');
    const r = run(['init', '--output', o, '--mount-path', '/https'], { HOME: home, KCS_RUNS_IN: 'container' });
    expect(r.code).toBe(0);
    expect(
      section(stable(r.stdout), '  source  '),
    ).toBe(`  source   generated: (in memory) (ca O=kestrel-cert-sidecar, CN=kestrel-cert-sidecar development \
CA ID; caCreated true; caPersisted false; leaf issued (none was published yet))
  CA           kestrel-cert-sidecar development CA ID, for this run only (set KCS_STATE to keep it)
point Kestrel at it: mount this volume at /https (read-only) in the app container, and set there
  ASPNETCORE_Kestrel__Certificates__Default__Path=/https/tls.crt
  ASPNETCORE_Kestrel__Certificates__Default__KeyPath=/https/tls.key
rotation: none until the app restarts, for endpoints from ASPNETCORE_HTTPS_PORTS or ASPNETCORE_URLS (docs/rotation.md)
  to rotate: --kestrel-endpoint https://+:8081 (Kestrel reloads 0-8 s after a publish), or in Program.cs \
builder.WebHost.UseKestrelCertSidecar("/https") (under 1 s)
trust the development CA on your machine: it lives for this run only, so keep one first (mount a named volume at \
/state), then run docker compose run --rm <service> trust --print > ca.crt, then on your machine: npx \
kestrel-cert-sidecar trust --install --ca ca.crt
  other containers trust it with SSL_CERT_FILE=/https/trust/ca-bundle.crt
`);
    // The sidecar's own path means nothing to the app or the host: only the first line, what it did, names it.
    expect(r.stdout.split('\n').filter((l) => l.includes(o))).toEqual([expect.stringMatching(/^published /)]);
    expect(r.stderr).toBe(
      'warning: CA_EPHEMERAL the development CA lives for this run only (KCS_STATE is ' +
        'unset), so every run issues certificates under a new CA that clients must trust ' +
        'again\nfix: set KCS_STATE to a private directory to keep one CA across runs (in ' +
        'the image: mount a named volume at /state that only the sidecar mounts)\n',
    );
  });

  it('in a container, the Development layout: APPDATA under the mount path', () => {
    const o = path.join(tmp(), 'https');
    const r = run(
      [
        'init',
        '--output',
        o,
        '--mount-path',
        '/https',
        '--app-name',
        'Api',
        '--user-secrets-id',
        'abc-123',
        '--state',
        path.join(tmp(), 's'),
      ],
      { HOME: home, KCS_RUNS_IN: 'container' },
    );
    expect(
      stable(r.stdout),
    ).toContain(`point Kestrel at it (the Development-certificate layout, as Visual Studio does it): mount this \
volume at /https (read-only) in the app container, and set there
  APPDATA=/https/appdata
  ASPNETCORE_ENVIRONMENT=Development
`);
  });

  it('KCS_RUNS_IN takes host or container only', () => {
    const r = run(['init', '--output', path.join(tmp(), 'o')], { HOME: home, KCS_RUNS_IN: 'docker' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'CONFIG_INVALID KCS_RUNS_IN `docker` is not valid: use one of host, container\nfix: ' +
        'set KCS_RUNS_IN to one of host, container\n',
    );
  });
});

describe('trust: the command line', () => {
  const home = tmp('kcs-home-');
  const out = path.join(tmp(), 'out');
  let caPem: string;
  beforeAll(() => {
    expect(run(['init', '--output', out], { HOME: home }).code).toBe(0);
    caPem = fs.readFileSync(path.join(home, '.local/share/kestrel-cert-sidecar/ca/ca.crt'), 'utf8');
  });

  it('--print writes the CA of KCS_STATE, and nothing else, to stdout', () => {
    const r = run(['trust', '--print'], { HOME: home });
    expect(r).toEqual({ code: 0, stdout: caPem, stderr: '' });
  });

  it('--print without a CA in the state reads nothing from the output (ownership-inputs); --ca FILE wins', () => {
    const r = run(['trust', '--print', '--output', out], {});
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^SOURCE_NOT_FOUND no development CA to trust: KCS_STATE is unset/);
    const other = run(['trust', '--print', '--ca', fixture('root.crt')], { HOME: home });
    expect(other.stdout).toBe(
      `${new crypto.X509Certificate(fs.readFileSync(fixture('root.crt'))).toString().trim()}\n`,
    );
  });

  it('refuses a server certificate, and says so', () => {
    const r = run(['trust', '--print', '--ca', path.join(out, 'tls.crt')], { HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `CONFIG_INVALID ${out}/tls.crt is not a CA certificate (CN=localhost)\nfix: trust ` +
        `the CA that issued the certificate (the ca/ca.crt of KCS_STATE, or what \`trust ` +
        `--print\` writes), not the server certificate\n`,
    );
  });

  it('needs exactly one action, and its flags belong to it', () => {
    expect(run(['trust'], { HOME: home }).stderr).toBe(
      'CONFIG_INVALID trust needs to be told what to do\nfix: run `trust --install` (or ' +
        '--print, --uninstall, --status)\n',
    );
    expect(run(['trust', '--install', '--status'], { HOME: home }).stderr).toBe(
      'CONFIG_INVALID trust takes one of --install, --status, not 2\nfix: run `trust ' +
        '--install` (or --print, --uninstall, --status)\n',
    );
    expect(run(['init', '--install'], { HOME: home }).stderr).toBe(
      'CONFIG_INVALID --install is an option of the trust command\nfix: run `kestrel-cert-sidecar trust --install`\n',
    );
    expect(run(['check', '--java'], { HOME: home }).stderr).toBe(
      'CONFIG_INVALID --java is an option of the trust command\nfix: run ' +
        '`kestrel-cert-sidecar trust --install --java`\n',
    );
  });

  it('in a container, --install says how to trust the CA on the host instead of changing the container', () => {
    const r = run(['trust', '--install'], { HOME: home, KCS_RUNS_IN: 'container' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'CONFIG_INVALID trust --install changes the trust stores of the machine it runs on, ' +
        'and this is a container (KCS_RUNS_IN=container), not your machine\nfix: run ' +
        'docker compose run --rm <service> trust --print > ca.crt, then on your machine: ' +
        'npx kestrel-cert-sidecar trust --install --ca ca.crt\n',
    );
  });

  it.runIf(needsRoot('trust as a user who is not root'))(
    'as a user who is not root: NSS is done, the system store says the command root runs',
    () => {
      const userHome = tmp('kcs-home-');
      fs.chownSync(userHome, 1654, 1654);
      const ca = path.join(userHome, 'ca.crt');
      fs.writeFileSync(ca, caPem, { mode: 0o644 });
      const r = run(['trust', '--install', '--ca', ca], { HOME: userHome }, { uid: 1654 });
      const name = describeCa(Buffer.from(caPem), ca).name;
      const store = LINUX_SYSTEM_STORES.find((s) => fs.existsSync(s.dir))!;
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(
        section(r.stdout, 'system store ('),
      ).toBe(`system store (${store.distro}: ${store.dir}/${name}${store.ext}): skipped: needs root; run: sudo \
cp ${ca} ${store.dir}/${name}${store.ext} && sudo ${store.refresh.join(' ')}
NSS for Chromium (${userHome}/.pki/nssdb): installed
Java cacerts: not asked (add --java)
browsers that were open read the change when restarted
`);
      expect(fs.existsSync(`${store.dir}/${name}${store.ext}`)).toBe(false);
    },
  );
});
