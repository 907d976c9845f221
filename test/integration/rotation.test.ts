// Rotation as clients see it, with a real Kestrel on this machine (examples/api): the ASP.NET Core companion on
// each endpoint form, the endpoint kestrel.env declares (KCS_KESTREL_ENDPOINT), and the default form, which keeps
// the certificate it started with. Every check is a fresh TLS connection. docs/rotation.md has the rules.
import fs from 'node:fs';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENABLE, FIXTURES, missingAspNet, needs, parseEnvFile } from './support/env.js';
import { buildCompanionApp, publish, served, shaOf, startApp, tmpDir, within } from './support/rotation.js';

const run = needs('Kestrel rotation', missingAspNet(), ENABLE.dotnet);
const INTERMEDIATE = 'CN=Fixture Intermediate CA';
/** The companion's promise: a publish reaches new connections within a second. */
const COMPANION_MS = 1000;
/** Kestrel's CertificatePathWatcher flags changes on 8-second boundaries (docs/kestrel.md); 12 s covers one. */
const KESTREL_CYCLE_MS = 12_000;

describe.runIf(run)('rotation reaches clients, as docs/rotation.md says for each form', () => {
  let app: string;
  beforeAll(() => {
    app = buildCompanionApp();
  }, 600_000);

  it('the companion serves the set and its intermediate on every endpoint, and each publish within 1 s', async () => {
    const out = tmpDir();
    publish(out, 'p256');
    const companion = { KestrelCertSidecar__Directory: out };
    // A configured endpoint with a certificate of its own: the companion's set wins there too.
    const own = {
      ASPNETCORE_Kestrel__Endpoints__Own__Url: 'https://127.0.0.1:PORT',
      ASPNETCORE_Kestrel__Endpoints__Own__Certificate__Path: path.join(FIXTURES, 'other.crt'),
      ASPNETCORE_Kestrel__Endpoints__Own__Certificate__KeyPath: path.join(FIXTURES, 'other.key'),
    };
    await using ports = await startApp(app, { ...companion, ASPNETCORE_HTTPS_PORTS: 'PORT' });
    await using urls = await startApp(app, { ...companion, ASPNETCORE_URLS: 'https://127.0.0.1:PORT' });
    await using configured = await startApp(app, { ...companion, ...own });
    const apps = [ports, urls, configured];
    await Promise.all(apps.map((a) => a.listening()));
    for (const a of apps) expect(await served(a.port)).toEqual({ sha256: shaOf('p256'), chain: [INTERMEDIATE] });

    for (const leaf of ['p384', 'p256', 'p384']) {
      const sha = publish(out, leaf);
      for (const a of apps) {
        const seen = await within(COMPANION_MS, async () => (await served(a.port))?.sha256 === sha);
        expect(seen, `${leaf} served within ${COMPANION_MS} ms on port ${a.port}\n${a.logs()}`).toBe(true);
        expect((await served(a.port))?.chain).toEqual([INTERMEDIATE]);
      }
    }
    // Each change is logged with its fingerprint (the logger writes on its own thread: wait for the line).
    const line = `serving CN=p384, sha256 ${shaOf('p384')}`;
    expect(await within(5000, () => urls.logs().includes(line)), urls.logs()).toBe(true);
  });

  it('the endpoint kestrel.env declares reloads by itself (0-8 s); the default keeps the old certificate', async () => {
    const declared = tmpDir();
    const plain = tmpDir();
    const httpsPort = await import('./support/env.js').then((m) => m.freePort());
    const httpPort = await import('./support/env.js').then((m) => m.freePort());
    const endpoint = [
      '--kestrel-endpoint',
      `https://127.0.0.1:${httpsPort}`,
      '--kestrel-http-endpoint',
      `http://127.0.0.1:${httpPort}`,
    ];
    publish(declared, 'p256', endpoint);
    publish(plain, 'p256');
    const envOf = (out: string) => parseEnvFile(fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8'));
    // kestrel.env alone: no URL of the app's own (ASPNETCORE_URLS would be overridden by the declared endpoints).
    await using fromFile = await startApp(app, envOf(declared));
    await using byDefault = await startApp(app, { ...envOf(plain), ASPNETCORE_URLS: 'https://127.0.0.1:PORT' });
    await Promise.all([within(60_000, () => served(httpsPort)), byDefault.listening()]);
    expect((await served(httpsPort))?.chain).toEqual([INTERMEDIATE]);
    // The HTTP endpoint declared beside it answers plain HTTP.
    expect(await (await fetch(`http://127.0.0.1:${httpPort}/`)).text()).toBe('hello from kestrel-app');

    const sha = publish(declared, 'p384', endpoint);
    publish(plain, 'p384');
    const t0 = performance.now();
    const reloaded = await within(KESTREL_CYCLE_MS, async () => (await served(httpsPort))?.sha256 === sha);
    expect(reloaded, `the declared endpoint reloads within ${KESTREL_CYCLE_MS} ms\n${fromFile.logs()}`).toBe(true);
    console.log(`declared endpoint: reloaded ${Math.round(performance.now() - t0)} ms after the publish`);
    expect((await served(httpsPort))?.chain).toEqual([INTERMEDIATE]);
    // Over the same window, and after it, the endpoint from ASPNETCORE_URLS kept the certificate it started with.
    await new Promise((r) => setTimeout(r, Math.max(0, KESTREL_CYCLE_MS - (performance.now() - t0))));
    expect((await served(byDefault.port))?.sha256).toBe(shaOf('p256'));
  }, 90_000);

  it('serves the chain from a PFX too: a volume with cert.pfx and its password alone, and no ..data', async () => {
    const published = tmpDir();
    const sha = publish(published, 'p256');
    const out = tmpDir();
    for (const f of ['cert.pfx', 'cert.password']) fs.copyFileSync(path.join(published, f), path.join(out, f));
    await using a = await startApp(app, {
      KestrelCertSidecar__Directory: out,
      ASPNETCORE_URLS: 'https://127.0.0.1:PORT',
    });
    await a.listening();
    expect(await served(a.port)).toEqual({ sha256: sha, chain: [INTERMEDIATE] });
  });

  it('on a mount without file events (bindfs, as a 9p share), the poll finds each publish', async (ctx) => {
    const why = spawnSync('bindfs', ['--version']).error
      ? 'bindfs is not installed'
      : process.getuid?.() !== 0
        ? 'mounting needs root'
        : undefined;
    if (!needs('Kestrel rotation on a mount without file events', why, 'sudo apt-get install -y bindfs; run as root'))
      return ctx.skip();
    const back = tmpDir();
    const mnt = tmpDir();
    publish(back, 'p256');
    expect(spawnSync('bindfs', [back, mnt]).status).toBe(0);
    try {
      await using a = await startApp(app, {
        KestrelCertSidecar__Directory: mnt,
        KestrelCertSidecar__PollInterval: '0.5',
        ASPNETCORE_URLS: 'https://127.0.0.1:PORT',
      });
      await a.listening();
      // Written to the backing directory: no inotify event reaches the mount, only the poll sees it.
      const sha = publish(back, 'p384');
      expect(await within(500 + COMPANION_MS, async () => (await served(a.port))?.sha256 === sha), a.logs()).toBe(true);
    } finally {
      spawnSync('fusermount', ['-u', mnt]);
    }
  });

  it('an app started before the set exists waits for it, then serves it', async () => {
    const out = path.join(tmpDir(), 'https'); // not even the directory exists yet
    await using a = await startApp(app, {
      KestrelCertSidecar__Directory: out,
      ASPNETCORE_URLS: 'https://127.0.0.1:PORT',
    });
    expect(await within(30_000, () => a.logs().includes(`waiting for a certificate set in ${out}`))).toBe(true);
    // Kestrel has not bound the port: the app waits before the server starts, not with a server that fails handshakes.
    const refused = await new Promise<string>((resolve) =>
      net
        .connect(a.port, '127.0.0.1', () => resolve('connected'))
        .on('error', (e: NodeJS.ErrnoException) => resolve(e.code!)),
    );
    expect(refused).toBe('ECONNREFUSED');
    const sha = publish(out, 'p256');
    await a.listening();
    expect(await served(a.port)).toEqual({ sha256: sha, chain: [INTERMEDIATE] });
  });

  it('without a set in time it stops with one message naming the volume and the sidecar; never listens', async () => {
    const out = tmpDir();
    await using a = await startApp(app, {
      KestrelCertSidecar__Directory: out,
      KestrelCertSidecar__StartupTimeout: '2',
      ASPNETCORE_URLS: 'https://127.0.0.1:PORT',
    });
    const code = await a.exited;
    expect(code).not.toBe(0);
    expect(a.logs()).toContain(
      `KestrelCertSidecar: no certificate to serve: ${out} held no valid set after 2 s ` +
        `(nothing was published there yet)`,
    );
    expect(a.logs()).toContain('fix: run kestrel-cert-sidecar (init, or watch as a sidecar)');
    expect(a.logs()).not.toContain('Now listening');
    expect(await served(a.port)).toBeUndefined();
  });

  it('a torn or bad set never reaches a client: the last good one stays, and the next good one is served', async () => {
    const out = tmpDir();
    const good = publish(out, 'p256');
    await using a = await startApp(app, {
      KestrelCertSidecar__Directory: out,
      ASPNETCORE_URLS: 'https://127.0.0.1:PORT',
    });
    await a.listening();
    const live = path.join(out, fs.readlinkSync(path.join(out, '..data')));
    let n = 0;
    /** A generation beside the live one, changed by `spoil`, made live the way the sidecar does (one rename). */
    const swapIn = (spoil: (gen: string) => void) => {
      const name = `..2099_01_01_00_00_0${n++}.000000`;
      const gen = path.join(out, name);
      fs.cpSync(live, gen, { recursive: true });
      fs.chmodSync(gen, 0o755);
      // The copy names its own generation, as the sidecar's manifest does (a copy that does not is refused too).
      const manifest = JSON.parse(fs.readFileSync(path.join(gen, 'manifest.json'), 'utf8'));
      fs.rmSync(path.join(gen, 'manifest.json'));
      fs.writeFileSync(path.join(gen, 'manifest.json'), JSON.stringify({ ...manifest, generation: name }));
      spoil(gen);
      fs.symlinkSync(name, path.join(out, '..data_tmp'));
      fs.renameSync(path.join(out, '..data_tmp'), path.join(out, '..data'));
    };
    const fixture = (f: string) => fs.readFileSync(path.join(FIXTURES, f));
    const put = (gen: string, file: string, data: Buffer) => {
      fs.rmSync(path.join(gen, file), { force: true });
      fs.writeFileSync(path.join(gen, file), data);
    };
    const cases: [string, (gen: string) => void, string][] = [
      [
        'a generation whose manifest names another one',
        (g) => {
          const m = JSON.parse(fs.readFileSync(path.join(g, 'manifest.json'), 'utf8'));
          put(g, 'manifest.json', Buffer.from(JSON.stringify({ ...m, generation: path.basename(live) })));
        },
        `belongs to generation ${path.basename(live)}`,
      ],
      ['the key of another certificate', (g) => put(g, 'tls.key', fixture('other.key')), 'do not make a certificate'],
      [
        'a certificate and key of another generation than its manifest (torn)',
        (g) => {
          put(g, 'tls.crt', Buffer.concat([fixture('p384.crt'), fixture('inter.crt')]));
          put(g, 'tls.key', fixture('p384.key'));
        },
        'a torn or hand-edited set',
      ],
      [
        'a half-written key',
        (g) => put(g, 'tls.key', fixture('p256.key').subarray(0, 100)),
        'do not make a certificate',
      ],
      [
        'an expired certificate',
        (g) => {
          put(g, 'tls.crt', fixture('expired.crt'));
          put(g, 'tls.key', fixture('expired.key'));
          fs.rmSync(path.join(g, 'manifest.json'));
        },
        'expired at',
      ],
    ];
    for (const [what, spoil, why] of cases) {
      const before = a.logs().split('kept serving').length;
      swapIn(spoil);
      const refused = await within(5000, () => a.logs().split('kept serving').length > before);
      expect(refused, `${what} is refused\n${a.logs()}`).toBe(true);
      expect(
        a
          .logs()
          .split('\n')
          .filter((l) => l.includes('kept serving'))
          .at(-1),
      ).toContain(why);
      expect((await served(a.port))?.sha256, what).toBe(good);
    }
    const next = publish(out, 'p384');
    expect(await within(COMPANION_MS, async () => (await served(a.port))?.sha256 === next)).toBe(true);
  });
});
