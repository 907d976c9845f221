// The image on Podman (Debian 12's 4.3, no systemd, no registry): built in Docker format so it keeps its
// HEALTHCHECK, run by Testcontainers through Podman's API socket, the compose example on both compose tools
// that drive Podman (podman-compose 1.0.3, and Compose v2 against the socket) with a good and a failing
// source, `podman kube play` of examples/podman/, and rootless Podman with named volumes, `:U` and keep-id.
// Only the suites where Podman differs run here; everything else runs on Docker (container.test.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerEngine } from '../../scripts/engine.mjs';
import { appImageArgs, type BaseImages, chooseBaseImages, imageTag } from '../../scripts/image.mjs';
import { RUNTIME_COMMANDS } from './support/runtime-commands.js';
import { ENABLE, FIXTURES, ROOT, missing, missingAspNet, needsAll } from './support/env.js';
import {
  ENABLE_PODMAN,
  PODMAN_SOCKET,
  copyImageToRootless,
  exec,
  missingPodmanSocket,
  rootless,
  sh,
} from './support/engine.js';
import { composeProject, emptyCerts, listening, waitExited, wrongPasswordCerts } from './support/compose.js';

const run = needsAll('Podman (image, compose tools, kube play, rootless)', [
  [missing('podman', ['info']), ENABLE_PODMAN],
  [missingPodmanSocket(), ENABLE_PODMAN],
  [missing('podman-compose', ['version']), ENABLE_PODMAN],
  [missing('docker', ['compose', 'version']), ENABLE.docker],
  [missingAspNet(), ENABLE.dotnet],
]);
const IMAGE = imageTag();
const API_IMAGE = 'kcs-example-api';
const podman = containerEngine('podman', { env: {} });
let images: BaseImages;
const PAGE = RUNTIME_COMMANDS['podman.md'];
const KUBE = RUNTIME_COMMANDS['kube-play.md'];
const timed = (what: string, since: number) => console.log(`${what}: ${((Date.now() - since) / 1000).toFixed(1)} s`);

/** The certificate a TLS server on 127.0.0.1:port presents, verified against `ca` for `servername`. */
function served(port: number, ca: Buffer, servername = 'localhost'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername, ca }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

/** The body of a 200 from `url`, trusting only `ca`, waited for. */
async function waitGet(url: string, ca: string, ms = 120_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await new Promise<{ status: number; body: string }>((resolve) => {
      https
        .get(url, { ca, timeout: 10_000 }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', (err) => resolve({ status: 0, body: err.message }));
    });
    if (got.status === 200) return got.body;
    if (Date.now() > end) throw new Error(`${url}: ${got.status} ${got.body}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitServed(port: number, ca: () => Buffer, ms = 120_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await served(port, ca());
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe.runIf(run)('on Podman', () => {
  beforeAll(() => {
    const t = Date.now();
    sh('bash', ['-c', PAGE.image], { timeout: 1_800_000 });
    images = chooseBaseImages({ engine: podman }).images;
    sh(podman.cli, appImageArgs(podman, images, API_IMAGE));
    timed('podman: stand-ins, image and example app built', t);
  }, 1_800_000);

  it('builds the image in Docker format, so it keeps its HEALTHCHECK; the stand-ins keep every ENV', () => {
    const health = JSON.parse(sh('podman', ['image', 'inspect', '--format', '{{json .Config.Healthcheck}}', IMAGE]));
    expect(health.Test).toEqual([
      'CMD',
      '/nodejs/bin/node',
      '-e',
      "fetch('http://127.0.0.1:'+(process.env.KCS_HEALTH_PORT||8089)+'/readyz')" +
        '.then(r=>process.exit(r.ok?0:1),()=>process.exit(1))',
    ]);
    expect(health.Interval).toBe(10e9);
    expect(sh('podman', ['image', 'inspect', '--format', '{{.Config.User}}', IMAGE]).trim()).toBe('1654:1654');
    const env = JSON.parse(sh('podman', ['image', 'inspect', '--format', '{{json .Config.Env}}', images.ASPNET_IMAGE]));
    expect(env).toEqual(
      expect.arrayContaining(['ASPNETCORE_HTTP_PORTS=8080', 'DOTNET_RUNNING_IN_CONTAINER=true', 'APP_UID=1654']),
    );
  });

  describe('Testcontainers through the API socket (DOCKER_HOST)', () => {
    const saved = process.env.DOCKER_HOST;
    beforeAll(() => {
      // The page's `export DOCKER_HOST=... TESTCONTAINERS_RYUK_DISABLED=true`, applied to this process.
      for (const kv of PAGE.socket.replace(/^export /, '').split(' ')) {
        const [k, v] = kv.split('=') as [string, string];
        process.env[k] = v;
      }
      expect(process.env.DOCKER_HOST).toBe(PODMAN_SOCKET);
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    });

    it('the Node helper (KestrelCertsContainer) publishes from a PFX, Ryuk disabled', async () => {
      const t = Date.now();
      const { KestrelCertsContainer } = await import('../../sidecar/testing/kestrel-certs-container.js');
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-podman-tc-'));
      fs.chownSync(out, 1654, 1654);
      expect(process.env.TESTCONTAINERS_RYUK_DISABLED).toBe('true');
      const certs = await new KestrelCertsContainer(IMAGE)
        .withSource(path.join(FIXTURES, 'openssl3-default.pfx'), 'fixture-Pa55')
        .withOutputDir(out)
        .publish();
      const leaf = new crypto.X509Certificate(fs.readFileSync(path.join(FIXTURES, 'rsa2048.crt')));
      expect(certs.manifest.sha256).toBe(leaf.fingerprint256);
      timed('podman: testcontainers (Node)', t);
    });
  });

  // Each compose tool that drives Podman: what it honours, and that no app serves without a valid set.
  describe.each([
    ['podman-compose', 'podman-compose', PAGE.compose],
    ['Compose v2 against the API socket', 'docker', PAGE.composeV2],
  ])('compose.example.yml with %s', (_name, tool, command) => {
    const engine = containerEngine('podman', { env: { CONTAINER_COMPOSE: tool } });

    it('npm run compose:example brings it up, and web calls api over verified HTTPS', () => {
      const t = Date.now();
      const project = `kcs-podman-${tool.replace(/\W/g, '')}-${process.pid}`;
      const certs = emptyCerts();
      const p = composeProject(engine, project, images, certs);
      try {
        // The page's command; --no-build, as beforeAll built the images with the page's `npm run image` line.
        const r = exec('bash', ['-c', `${command} --no-build`], {
          env: { ...p.env, COMPOSE_PROJECT_NAME: project },
          timeout: 900_000,
        });
        expect(r.out).toContain("web -> api over HTTPS, verified against the sidecar's CA: hello from api\n");
        expect(r.code).toBe(0);
        expect(p.states()).toContainEqual({ service: 'certs', status: 'exited', exitCode: 0 });
      } finally {
        p.down();
        timed(`podman: compose example with ${tool}`, t);
      }
    }, 900_000);

    it('a wrong PFX password: certs exits 4 and neither api nor web ever serves', async () => {
      const t = Date.now();
      const project = `kcs-podman-bad-${tool.replace(/\W/g, '')}-${process.pid}`;
      const p = composeProject(engine, project, images, wrongPasswordCerts());
      try {
        const up = p.compose(['up', '-d', 'certs', 'api', 'web'], { CERTS_WAIT_SECONDS: '5' });
        if (tool === 'podman-compose') {
          // It ignores service_completed_successfully: api and web start, wait 5 s for a set, and exit 1.
          expect(up.code).toBe(0);
          const states = await waitExited(p.states, ['certs', 'api', 'web']);
          expect(states).toContainEqual({ service: 'api', status: 'exited', exitCode: 1 });
          expect(states).toContainEqual({ service: 'web', status: 'exited', exitCode: 1 });
          for (const service of ['api', 'web']) {
            const id = sh('podman', [
              'ps',
              '-aq',
              '--filter',
              `label=com.docker.compose.project=${project}`,
              '--filter',
              `label=com.docker.compose.service=${service}`,
            ]).trim();
            expect(sh('podman', ['logs', id])).toBe('');
            expect(exec('podman', ['logs', id]).out).toContain(
              "no certificate set was published in /https within 5 s (see the certs service's logs): not serving",
            );
          }
        } else {
          // Compose v2 honours the condition: up fails, and api and web are never started.
          expect(up.code).not.toBe(0);
          expect(up.out).toMatch(/certs.*didn't complete successfully: exit 4/);
          for (const c of p.states().filter((s) => s.service !== 'certs')) expect(c.status).toBe('created');
        }
        expect(p.states()).toContainEqual({ service: 'certs', status: 'exited', exitCode: 4 });
        expect(await listening(8081)).toBe(false);
        expect(await listening(8082)).toBe(false);
      } finally {
        p.down();
        timed(`podman: failing source with ${tool}`, t);
      }
    }, 300_000);
  });

  it('kube play of examples/podman/kube-play.yaml serves HTTPS from the published set on 127.0.0.1', async () => {
    const t = Date.now();
    const volumes = ['kcs-kube-https', 'kcs-kube-ca-state'];
    const clean = () => {
      exec('bash', ['-c', KUBE.down]);
      exec('podman', ['volume', 'rm', '-f', ...volumes]);
      exec('podman', ['secret', 'rm', 'api-tls']);
    };
    clean();
    try {
      const play = exec('bash', ['-c', KUBE.play]);
      // Podman 4.3 logs a harmless level=error line when it removes the finished init container.
      expect(play.out).not.toMatch(/^Error:/m);
      expect(play.code).toBe(0);
      const dir = sh('podman', ['volume', 'inspect', '--format', '{{.Mountpoint}}', 'kcs-kube-https']).trim();
      const fingerprint = await waitServed(8443, () => fs.readFileSync(path.join(dir, 'ca.crt')));
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      expect(fingerprint).toBe(manifest.sha256);
      const states = sh('podman', ['ps', '-a', '--filter', 'pod=kcs-kube', '--format', '{{.Names}} {{.Status}}']);
      expect(states).toMatch(/^kcs-kube-certs-watch Up /m);
      expect(states).toMatch(/^kcs-kube-api Up /m);
      expect(exec('podman', ['logs', 'kcs-kube-certs-watch']).out).toMatch(/watching \/certs/);
      // Bound to loopback only.
      expect(sh('podman', ['port', 'kcs-kube-api']).trim()).toBe('8081/tcp -> 127.0.0.1:8443');
    } finally {
      clean();
      timed('podman: kube play', t);
    }
  }, 300_000);

  describe('rootless, with the commands of docs/runtimes/podman.md', () => {
    let user: ReturnType<typeof rootless>;
    const dirs: string[] = [];
    /** A project directory the rootless user owns, with an ./out they own too (as `mkdir out` makes it). */
    const project = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-rootless-'));
      fs.mkdirSync(path.join(d, 'out'));
      for (const x of [d, path.join(d, 'out')]) {
        fs.chmodSync(x, 0o755);
        fs.chownSync(x, user.uid, user.uid);
      }
      dirs.push(d);
      return d;
    };
    const runIn = (dir: string, command: string) => user.run('bash', ['-c', `cd ${dir} && ${command}`]);
    beforeAll(() => {
      const t = Date.now();
      user = rootless();
      copyImageToRootless(IMAGE);
      timed('podman: image copied into the rootless storage', t);
    }, 600_000);
    afterAll(() => {
      user.run('podman', ['volume', 'rm', '-f', 'kcs-https']);
      for (const d of dirs) user.run('podman', ['unshare', 'rm', '-rf', d]);
    });

    it('publishes to a named volume', () => {
      const r = runIn(project(), PAGE.volume);
      expect(r.out).toMatch(/^published \.\.\d{4}_/m);
      expect(r.code).toBe(0);
    });

    it('a plain bind mount is not writable by 1654 there, and the fix says :U or podman unshare chown', () => {
      const r = runIn(project(), PAGE.bindU.replace(':U', ''));
      expect(r.out).toMatch(/^OUTPUT_NOT_WRITABLE cannot publish to \/https: .*\(EACCES\)\n/m);
      expect(r.out).toMatch(/\nfix: in a user namespace .*:U.*podman unshare chown 1654:1654 DIR/);
      expect(r.code).toBe(5);
    });

    it('a bind mount with :U is handed to 1654 in the namespace (host uid subuid start + 1653)', () => {
      const dir = project();
      const r = runIn(dir, PAGE.bindU);
      expect(r.code).toBe(0);
      expect(fs.statSync(path.join(dir, 'out', 'tls.key')).uid).toBe(user.subuidStart + 1653);
    });

    it('the compose example with podman-compose: web calls api over verified HTTPS', async () => {
      const t = Date.now();
      copyImageToRootless(API_IMAGE);
      const certs = project();
      fs.writeFileSync(path.join(certs, 'password.txt'), '', { mode: 0o644 });
      const compose = `CERTS_DIR=${certs} podman-compose -p kcs-rootless -f ${ROOT}/compose.example.yml`;
      try {
        const up = runIn(certs, `${compose} up -d certs api web`);
        expect(up.code, up.out).toBe(0);
        const run = runIn(certs, `${compose} run --rm --no-deps -T certs trust --print`);
        const printed = run.stdout;
        const pem = printed.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
        const ca = `${pem.join('\n').replace(/\r/g, '')}\n`;
        expect(ca, run.out).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(await waitGet('https://localhost:8082/call?url=https://api:8081/', ca)).toBe('hello from api');
      } finally {
        runIn(certs, `${compose} down -v`);
        timed('podman: rootless compose example (podman-compose)', t);
      }
    }, 600_000);

    it("with --userns=keep-id and the user's own uid, the files are that user's", () => {
      const dir = project();
      const r = runIn(dir, PAGE.keepId);
      expect(r.code).toBe(0);
      const key = fs.statSync(path.join(dir, 'out', 'tls.key'));
      expect(key.uid).toBe(user.uid);
      expect(key.mode & 0o777).toBe(0o440);
    });
  });
});
