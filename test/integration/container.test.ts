// The image and the real thing: a real Docker engine runs the image built from the Dockerfile, and a
// real Kestrel in another container serves HTTPS from what it published. No image can be pulled on
// these machines, so the harness builds local stand-ins for the base images (docker/standins.sh).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KestrelCertsContainer } from '../../sidecar/testing/kestrel-certs-container.js';
import { BIN, ENABLE, FIXTURES, ROOT, appVolume, cleanEnv, missing, needsAll } from './support/env.js';
import { buildKestrelApp } from './support/kestrel.js';
import { STANDINS, VERSION, buildImage, imageTag } from '../../scripts/image.mjs';
import { containerEngine } from '../../scripts/engine.mjs';
import { composeProject, listening, wrongPasswordCerts } from './support/compose.js';

const run = needsAll('container (the image, compose)', [
  [missing('docker', ['info']), ENABLE.docker],
  [missing('docker', ['compose', 'version']), ENABLE.docker],
]);
const IMAGE = imageTag();
let STANDIN = STANDINS;
const PASS = 'fixture-Pa55';
const fp = (f: string) => new crypto.X509Certificate(fs.readFileSync(path.join(FIXTURES, f))).fingerprint256;
const sh = (cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: opts.env ?? process.env, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status}):\n` +
        `${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`,
    );
  return r.stdout;
};
const outDir = () => appVolume();
const manifest = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

/** Exit code and output of a one-shot container, through the docker CLI (testcontainers reports only success). */
function dockerRun(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('docker', ['run', '--rm', '--read-only', '--cap-drop', 'ALL', ...args], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function getVia(url: string, opts: { ca?: string; insecure?: boolean } = {}) {
  let served = '';
  const agent = new Agent({
    connect: { ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: !opts.insecure, servername: 'localhost' },
  });
  try {
    const res = await request(url, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = await res.body.text();
    const p = spawnSync(
      process.execPath,
      [BIN, 'probe', '--url', url, '--expect-sha256', '0'.repeat(64), '--insecure', '--json'],
      { encoding: 'utf8', env: cleanEnv() },
    );
    served = JSON.parse(p.stdout).served ?? '';
    return { status: res.statusCode, body, served };
  } finally {
    await agent.destroy();
  }
}

async function waitHttps(url: string, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await getVia(url, { insecure: true });
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe.runIf(run)('the image, in a real Docker engine', () => {
  beforeAll(() => {
    STANDIN = buildImage({ log: console.log, engine: containerEngine('docker', { env: {} }) }).images;
  }, 900_000);

  // 3.5 MB: the bundles, their V8 code caches and Node's public roots. It was 3 MB until the OpenSSL verifier,
  // the CA bundle layouts (PKCS#7) and the split publish modules added about 40 kB of code (3.03 MB measured).
  it('adds under 3.5 MB to its base image, with only COPY, USER, ENV, ENTRYPOINT and HEALTHCHECK at run time', () => {
    const rows = sh('docker', ['history', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', IMAGE])
      .trim()
      .split('\n');
    const base = sh('docker', ['history', '-q', STANDIN.NODE_IMAGE]).trim().split('\n').length;
    const ours = rows.slice(0, rows.length - base);
    const bytes =
      Number(sh('docker', ['image', 'inspect', '-f', '{{.Size}}', IMAGE])) -
      Number(sh('docker', ['image', 'inspect', '-f', '{{.Size}}', STANDIN.NODE_IMAGE]));
    console.log(`image layers on top of the base: ${(bytes / 1e6).toFixed(2)} MB\n${ours.join('\n')}`);
    expect(bytes).toBeLessThan(3.5e6);
    const instructions = ours.map((r) => /#\(nop\)\s+(\w+)/.exec(r)?.[1] ?? (r.includes('/bin/sh -c') ? 'RUN' : '?'));
    expect(
      instructions.filter((i) => !['COPY', 'USER', 'ENV', 'ENTRYPOINT', 'HEALTHCHECK', 'LABEL', 'ARG'].includes(i)),
    ).toEqual([]);
    const config = JSON.parse(sh('docker', ['image', 'inspect', '-f', '{{json .Config}}', IMAGE]));
    expect(config.User).toBe('1654:1654');
    // The HEALTHCHECK, read back from the built image (podman.test.ts does the same on Podman).
    expect(config.Healthcheck.Test).toEqual([
      'CMD',
      '/nodejs/bin/node',
      '-e',
      "fetch('http://127.0.0.1:'+(process.env.KCS_HEALTH_PORT||8089)+'/readyz')" +
        '.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))',
    ]);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'kestrel-cert-sidecar',
      'org.opencontainers.image.version': VERSION,
      'org.opencontainers.image.base.name': STANDIN.NODE_IMAGE,
      'org.opencontainers.image.licenses': 'MIT',
    });
    // No shell in the image: Node itself reports the owners.
    const owners = sh('docker', [
      'run',
      '--rm',
      '--entrypoint',
      '/nodejs/bin/node',
      IMAGE,
      '-e',
      "for (const d of ['/https', '/state']) { const s = require('fs').statSync(d); console.log(d, s.uid, s.gid) }",
    ]);
    expect(owners).toBe('/https 1654 1654\n/state 1654 1654\n');
  });

  it.each([
    ['a PFX', 'openssl3-default.pfx', PASS, fp('rsa2048.crt')],
    ['a legacy RC2 PFX', 'openssl-legacy-rc2.pfx', PASS, fp('rsa2048.crt')],
    ['PEM files', 'pem-pkcs8', undefined, fp('rsa2048.crt')],
    ['a Kubernetes-style ..data layout', 'k8s-secret', undefined, fp('rsa2048.crt')],
  ])(
    'init publishes from %s, as 1654 with a read-only root and no capabilities (KestrelCertsContainer)',
    async (_what, source, password, sha) => {
      const certs = await new KestrelCertsContainer(IMAGE)
        .withSource(path.join(FIXTURES, source), password)
        .withOutputDir(outDir(), '/https')
        .publish();
      expect(certs.manifest.sha256).toBe(sha);
      expect(certs.kestrelEnvironment).toEqual({
        ASPNETCORE_Kestrel__Certificates__Default__Path: '/https/tls.crt',
        ASPNETCORE_Kestrel__Certificates__Default__KeyPath: '/https/tls.key',
      });
      expect(certs.logs).toMatch(/^published \.\.\d{4}_/m);
    },
  );

  it('init generates when nothing is mounted', async () => {
    const certs = await new KestrelCertsContainer(IMAGE)
      .withOutputDir(outDir())
      .withHostnames('localhost', 'api')
      .publish();
    expect(certs.manifest.sans).toEqual(['localhost', 'api']);
    expect(certs.logs).toContain('CA_EPHEMERAL');
  });

  it('start(), called as on any other container, publishes into the output directory too', async () => {
    const out = outDir();
    const started = await new KestrelCertsContainer(IMAGE).withOutputDir(out).withHostnames('api').start();
    await started.stop();
    expect(manifest(out).sans).toEqual(['api']);
    await expect(new KestrelCertsContainer(IMAGE).start()).rejects.toThrow('call withOutputDir(dir) first');
  });

  it('publishes files the app user (1654) can read from a read-only mount, and another uid cannot read the key', () => {
    const out = outDir();
    expect(dockerRun(['-v', `${out}:/https`, IMAGE, 'init']).code).toBe(0);
    const asApp = dockerRun([
      '--user',
      '1654:1654',
      '-v',
      `${out}:/https:ro`,
      '--entrypoint',
      '/bin/sh',
      STANDIN.ASPNET_IMAGE,
      '-c',
      'for f in tls.crt tls.key ca.crt cert.pfx cert.password kestrel.env kestrel.json manifest.json ' +
        'trust/ca-bundle.crt; do cat /https/$f > /dev/null || exit 1; done; ' +
        'touch /https/x 2>/dev/null && exit 2; rm /https/tls.key 2>/dev/null && exit 3; echo ok',
    ]);
    expect(asApp).toEqual({ code: 0, out: 'ok\n' });
    const other = dockerRun([
      '--user',
      '2000:2000',
      '-v',
      `${out}:/https:ro`,
      '--entrypoint',
      '/bin/sh',
      STANDIN.ASPNET_IMAGE,
      '-c',
      'cat /https/tls.crt > /dev/null && ! cat /https/tls.key 2>/dev/null && ' +
        '! cat /https/cert.pfx 2>/dev/null && echo denied',
    ]);
    expect(other).toEqual({ code: 0, out: 'denied\n' });
  });

  it('exits 4 with PASSWORD_WRONG on a wrong password and leaves the volume unchanged', () => {
    const out = outDir();
    const src = path.join(FIXTURES, 'openssl3-default.pfx');
    expect(
      dockerRun([
        '-v',
        `${out}:/https`,
        '-v',
        `${src}:/certs/api.pfx:ro`,
        '-e',
        `KCS_PASSWORD=${PASS}`,
        '-e',
        'KCS_SOURCE=/certs',
        IMAGE,
        'init',
      ]).code,
    ).toBe(0);
    const before = fs.readFileSync(path.join(out, 'manifest.json'), 'utf8');
    const r = dockerRun([
      '-v',
      `${out}:/https`,
      '-v',
      `${src}:/certs/api.pfx:ro`,
      '-e',
      'KCS_PASSWORD=not-it',
      '-e',
      'KCS_SOURCE=/certs',
      IMAGE,
      'init',
    ]);
    expect(r.code).toBe(4);
    expect(r.out).toBe(
      'PASSWORD_WRONG cannot open /certs/api.pfx: the password does not match (the PKCS#12 integrity check ' +
        'failed)\nfix: set KCS_PASSWORD_FILE to the file holding the password this PFX was exported with\n',
    );
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('as root reads a key only root can read, publishes it for group 1654; as 1654: SOURCE_UNREADABLE', () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-rootonly-'));
    fs.chmodSync(src, 0o755);
    fs.copyFileSync(path.join(FIXTURES, 'rsa2048.crt'), path.join(src, 'tls.crt'));
    fs.copyFileSync(path.join(FIXTURES, 'rsa2048.key'), path.join(src, 'tls.key'));
    fs.chmodSync(path.join(src, 'tls.key'), 0o400);
    if (process.getuid?.() === 0) fs.chownSync(path.join(src, 'tls.key'), 0, 0);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-rootvol-')); // owned by root, like a fresh bind mount
    fs.chmodSync(out, 0o755);
    // As root it needs one capability: CAP_CHOWN, to hand the files to 1654.
    const asRoot = dockerRun([
      '--user',
      '0:0',
      '--cap-add',
      'CHOWN',
      '-v',
      `${src}:/certs:ro`,
      '-v',
      `${out}:/https`,
      '-e',
      'KCS_SOURCE=/certs',
      IMAGE,
      'init',
    ]);
    expect(asRoot.code).toBe(0);
    // Root's, group 1654's: the app reads it through its group and cannot chmod or rewrite it.
    expect(fs.statSync(path.join(out, '..data', 'tls.key'))).toMatchObject({ uid: 0, gid: 1654 });
    const asApp = dockerRun([
      '-v',
      `${src}:/certs:ro`,
      '-v',
      `${outDir()}:/https`,
      '-e',
      'KCS_SOURCE=/certs',
      IMAGE,
      'init',
    ]);
    expect(asApp.code).toBe(3);
    expect(asApp.out).toMatch(
      new RegExp(
        '^SOURCE_UNREADABLE cannot read /certs/tls\\.key: permission denied\n' +
          'fix: make the file readable by uid 1654 .*or run the sidecar as root',
      ),
    );
    expect(asApp.out).not.toMatch(/\n\s+at /);
  });

  describe('a real Kestrel in the stand-in ASP.NET Core image', () => {
    let app: string;
    const started: StartedTestContainer[] = [];
    beforeAll(() => {
      app = buildKestrelApp();
    }, 300_000);
    afterAll(async () => {
      await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    });

    async function kestrel(out: string, env: Record<string, string>, port = 8081) {
      const c = await new GenericContainer(STANDIN.ASPNET_IMAGE)
        .withUser('1654:1654')
        .withBindMounts([
          { source: app, target: '/app', mode: 'ro' },
          { source: out, target: '/https', mode: 'ro' },
        ])
        .withEnvironment({ ASPNETCORE_URLS: `https://+:${port}`, ...env })
        .withEntrypoint(['dotnet', '/app/Api.dll'])
        .withExposedPorts(port)
        .withWaitStrategy(Wait.forListeningPorts())
        .start();
      started.push(c);
      return `https://127.0.0.1:${c.getMappedPort(port)}/`;
    }

    it.each(['pem', 'pfx'])('serves the published set with KCS_KESTREL_FORMAT=%s', async (format) => {
      const out = outDir();
      const certs = await new KestrelCertsContainer(IMAGE)
        .withOutputDir(out)
        .withHostnames('localhost', '127.0.0.1')
        .withEnvironment({ KCS_KESTREL_FORMAT: format })
        .publish();
      const url = await kestrel(out, certs.kestrelEnvironment);
      const r = await getVia(url, { ca: fs.readFileSync(path.join(out, 'ca.crt'), 'utf8') });
      expect(r).toMatchObject({ status: 200, body: 'hello from kestrel-app', served: certs.manifest.sha256 });
    });

    it('serves the Development-certificate layout with APPDATA and no Kestrel certificate settings', async () => {
      const out = outDir();
      const certs = await new KestrelCertsContainer(IMAGE)
        .withOutputDir(out)
        .withEnvironment({
          KCS_APP_NAME: 'Api',
          KCS_USER_SECRETS_ID: 'kcs-example-7f3c2a10-5b2e-4c1d-9a8e-3f6d2b1c0e95',
        })
        .publish();
      const url = await kestrel(out, { APPDATA: '/https/appdata', ASPNETCORE_ENVIRONMENT: 'Development' });
      const r = await getVia(url, { ca: fs.readFileSync(path.join(out, 'ca.crt'), 'utf8') });
      expect(r).toMatchObject({ status: 200, served: certs.manifest.sha256 });
    });

    it('serves a new source certificate within 10 s when watch runs beside it (probe --wait)', async () => {
      const src = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-src-'));
      fs.chmodSync(src, 0o755);
      const put = (leaf: string) => {
        fs.writeFileSync(
          path.join(src, '.part'),
          Buffer.concat(
            ['key', 'crt']
              .map((e) => fs.readFileSync(path.join(FIXTURES, `${leaf}.${e}`)))
              .concat(fs.readFileSync(path.join(FIXTURES, 'chain.crt'))),
          ),
          { mode: 0o644 },
        );
        fs.renameSync(path.join(src, '.part'), path.join(src, 'server.pem'));
      };
      put('rsa2048');
      const out = outDir();
      const watch = await new GenericContainer(IMAGE)
        .withCommand(['watch'])
        .withUser('1654:1654')
        .withDroppedCapabilities('ALL')
        .withBindMounts([
          { source: src, target: '/certs', mode: 'ro' },
          { source: out, target: '/https', mode: 'rw' },
        ])
        .withEnvironment({ KCS_SOURCE: '/certs' })
        .withWaitStrategy(Wait.forLogMessage(/watching \/certs/))
        .start();
      started.push(watch);
      const url = await kestrel(out, {
        ASPNETCORE_URLS: '',
        ASPNETCORE_Kestrel__Endpoints__Https__Url: 'https://+:8081',
        ASPNETCORE_Kestrel__Certificates__Default__Path: '/https/tls.crt',
        ASPNETCORE_Kestrel__Certificates__Default__KeyPath: '/https/tls.key',
      });
      expect((await getVia(url, { insecure: true })).served).toBe(fp('rsa2048.crt'));
      put('p256');
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          'probe',
          '--url',
          url,
          '--expect-sha256',
          fp('p256.crt'),
          '--ca',
          path.join(FIXTURES, 'root.crt'),
          '--wait',
          '10s',
        ],
        { encoding: 'utf8', env: cleanEnv() },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(manifest(out).sha256).toBe(fp('p256.crt'));
    });
  });

  describe('compose.example.yml', () => {
    const project = `kcs-ci-${process.pid}`;
    const certsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-compose-certs-'));
    const env = { ...process.env, KCS_TEST_CERTS: certsDir, CERTS_DIR: certsDir, ...STANDIN };
    const compose = (...args: string[]) =>
      sh(
        'docker',
        [
          'compose',
          '-p',
          project,
          '-f',
          'compose.example.yml',
          '-f',
          'test/integration/docker/compose.standins.yml',
          ...args,
        ],
        { env },
      );
    beforeAll(() => {
      fs.chmodSync(certsDir, 0o755);
      fs.writeFileSync(path.join(certsDir, 'password.txt'), '', { mode: 0o644 }); // empty ./certs: generate
      compose('--profile', 'sidecar', 'build');
    }, 900_000);
    afterAll(() => {
      spawnSync(
        'docker',
        [
          'compose',
          '-p',
          project,
          '-f',
          'compose.example.yml',
          '-f',
          'test/integration/docker/compose.standins.yml',
          '--profile',
          'sidecar',
          'down',
          '-v',
          '--remove-orphans',
        ],
        { cwd: ROOT, env },
      );
    });

    it('a wrong PFX password: certs exits 4, up fails, and api and web are never started', async () => {
      const p = composeProject(
        containerEngine('docker', { env: {} }),
        `kcs-ci-bad-${process.pid}`,
        STANDIN,
        wrongPasswordCerts(),
      );
      try {
        const up = p.compose(['up', '-d', 'certs', 'api', 'web'], { CERTS_WAIT_SECONDS: '5' });
        expect(up.out).toMatch(/certs.*didn't complete successfully: exit 4/);
        expect(up.code).not.toBe(0);
        expect(p.states()).toContainEqual({ service: 'certs', status: 'exited', exitCode: 4 });
        for (const c of p.states().filter((s) => s.service !== 'certs')) expect(c.status).toBe('created');
        // Before the example below, which keeps 8081 and 8082 until the end.
        expect(await listening(8081)).toBe(false);
        expect(await listening(8082)).toBe(false);
      } finally {
        p.down();
      }
    });

    it('npm run compose:example: web calls api over verified HTTPS, trusting the CA through SSL_CERT_FILE', () => {
      const r = spawnSync(process.execPath, ['scripts/compose-example.mjs'], {
        cwd: ROOT,
        env: { ...env, COMPOSE_PROJECT_NAME: project },
        encoding: 'utf8',
        timeout: 900_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("web -> api over HTTPS, verified against the sidecar's CA: hello from api\n");
      expect(r.stdout).toContain(
        '  docker compose -f compose.example.yml run --rm certs trust --print > ca.crt\n' +
          '  curl --cacert ca.crt "https://localhost:8082/call?url=https://api:8081/"\n',
      );
      expect(compose('ps', '-a', '--format', '{{.Service}} {{.State}} {{.ExitCode}}')).toMatch(/^certs exited 0$/m);
      expect(compose('logs', 'certs')).toContain('SOURCE_EMPTY');
    }, 900_000);

    it('the sidecar profile: watch republishes a certificate dropped in ./certs; api-live serves it', async () => {
      compose('--profile', 'sidecar', 'up', '-d', 'certs-watch', 'api-live');
      const url = 'https://127.0.0.1:8083/';
      const before = await waitHttps(url);
      expect(before.status).toBe(200);
      const apiLive = compose('--profile', 'sidecar', 'ps', '-q', 'api-live').trim();
      // the operator drops a certificate from another CA into ./certs, for the names certs-watch checks
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-other-ca-'));
      sh(
        process.execPath,
        [
          BIN,
          'init',
          '--output',
          path.join(other, 'out'),
          '--state',
          path.join(other, 'state'),
          '--hostnames',
          'localhost,127.0.0.1,api-live',
          '--owner',
          `${process.getuid!()}:${process.getgid!()}`,
        ],
        { env: cleanEnv() },
      );
      const pem = Buffer.concat(
        ['tls.key', 'tls.crt', 'ca.crt'].map((f) => fs.readFileSync(path.join(other, 'out', f))),
      );
      const expected = JSON.parse(fs.readFileSync(path.join(other, 'out', 'manifest.json'), 'utf8')).sha256 as string;
      fs.writeFileSync(path.join(certsDir, '.server.pem'), pem, { mode: 0o644 });
      fs.renameSync(path.join(certsDir, '.server.pem'), path.join(certsDir, 'server.pem'));
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          'probe',
          '--url',
          url,
          '--expect-sha256',
          expected,
          '--ca',
          path.join(other, 'out', 'ca.crt'),
          '--wait',
          '20s',
        ],
        { encoding: 'utf8', env: cleanEnv() },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // the same container: no restart
      expect(compose('--profile', 'sidecar', 'ps', '-q', 'api-live').trim()).toBe(apiLive);
      expect(before.served).not.toBe(expected);
      // Through the companion (KestrelCertSidecar__Directory): Kestrel alone never reloads the certificate of an
      // ASPNETCORE_HTTPS_PORTS endpoint. The app's own view of what it serves, and the companion's log line.
      const ca = fs.readFileSync(path.join(other, 'out', 'ca.crt'), 'utf8');
      const state = JSON.parse((await getVia(`${url}certificate`, { ca })).body) as { sha256: string };
      expect(state.sha256).toBe(expected);
      expect(compose('--profile', 'sidecar', 'logs', 'api-live')).toContain(`sha256 ${expected},`);
    });
  });
});
