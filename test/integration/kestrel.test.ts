// A real Kestrel (the machine's .NET) reads what the sidecar publishes: PEM and PFX through
// ASPNETCORE_Kestrel__Certificates__Default__*, the Development-certificate layout through APPDATA
// alone, trust through SSL_CERT_FILE, and a rotation by `watch` that Kestrel picks up by itself.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../sidecar/probe/probe.js';
import { BIN, FIXTURES, cleanEnv, ENABLE, missingAspNet, needs, parseEnvFile } from './support/env.js';
import { buildKestrelApp, startKestrel } from './support/kestrel.js';

const run = needs('Kestrel', missingAspNet(), ENABLE.dotnet);
const PASS = 'fixture-Pa55';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-kestrel-'));

function init(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    process.execPath,
    [BIN, 'init', '--owner', `${process.getuid!()}:${process.getgid!()}`, ...args],
    { env: cleanEnv(env), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`init failed (${r.status}): ${r.stderr}`);
  return r;
}
const manifest = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));

/** GET over undici trusting only ca.crt; returns the body and the served certificate's SHA-256. */
async function get(url: string, caFile: string): Promise<{ body: string; sha256: string }> {
  const r = await probe({
    url,
    expectSha256: '0'.repeat(64),
    ca: fs.readFileSync(caFile, 'utf8'),
    insecure: false,
    waitMs: 0,
  });
  const agent = new Agent({ connect: { ca: fs.readFileSync(caFile, 'utf8'), servername: 'localhost' } });
  try {
    const res = await request(url.replace('127.0.0.1', 'localhost'), { dispatcher: agent });
    return { body: await res.body.text(), sha256: r.served ?? `unreachable: ${r.error}` };
  } finally {
    await agent.destroy();
  }
}

describe.runIf(run)('a real Kestrel serves what the sidecar publishes', () => {
  let app: string;
  beforeAll(() => {
    app = buildKestrelApp();
  }, 300_000);

  it.each([
    ['pem', 'a legacy RC2 PFX', { KCS_SOURCE: path.join(FIXTURES, 'openssl-legacy-rc2.pfx'), KCS_PASSWORD: PASS }],
    ['pfx', 'a legacy RC2 PFX', { KCS_SOURCE: path.join(FIXTURES, 'openssl-legacy-rc2.pfx'), KCS_PASSWORD: PASS }],
    ['pem', 'an ECDSA P-384 PFX', { KCS_SOURCE: path.join(FIXTURES, 'ecdsa-p384.pfx'), KCS_PASSWORD: PASS }],
    ['pfx', 'a Kubernetes TLS secret', { KCS_SOURCE: path.join(FIXTURES, 'k8s-secret') }],
    [
      'pfx',
      'a 600,000-iteration GnuTLS PFX that .NET refuses as it is',
      { KCS_SOURCE: path.join(FIXTURES, 'gnutls.p12'), KCS_PASSWORD: PASS },
    ],
    ['pem', 'a generated certificate', {}],
    ['pfx', 'a generated certificate with the legacy-3des profile', { KCS_PFX_PROFILE: 'legacy-3des' }],
  ])('KCS_KESTREL_FORMAT=%s, from %s', async (format, _what, env) => {
    const out = path.join(tmp(), 'out');
    init(['--output', out, '--kestrel-format', format, '--state', path.join(out, '..', 'state')], env);
    await using kestrel = await startKestrel(app, parseEnvFile(fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8')));
    // A source with an intermediate served as PFX: Kestrel sends the leaf alone (KESTREL_PFX_CHAIN),
    // so the client holds the intermediate too.
    const source = (env as Record<string, string>).KCS_SOURCE ?? '';
    const withIntermediate = /rc2|k8s|p384/.test(source);
    // gnutls.p12 holds the leaf alone, so the published ca.crt is the leaf's issuer and not a root.
    const caFile =
      withIntermediate || source.includes('gnutls') ? path.join(FIXTURES, 'chain.crt') : path.join(out, 'ca.crt');
    const r = init(['--output', `${out}-again`, '--kestrel-format', format], env);
    expect(r.stderr.includes('warning: KESTREL_PFX_CHAIN')).toBe(withIntermediate && format === 'pfx');
    const served = await get(kestrel.url, caFile);
    expect(served.body).toBe('hello from kestrel-app');
    expect(served.sha256).toBe(manifest(out).sha256);
  });

  it('finds the Development-certificate layout with APPDATA alone, and no Kestrel certificate settings', async () => {
    const out = path.join(tmp(), 'out');
    init([
      '--output',
      out,
      '--app-name',
      'Api',
      '--user-secrets-id',
      'kcs-example-7f3c2a10-5b2e-4c1d-9a8e-3f6d2b1c0e95',
    ]);
    expect(fs.existsSync(path.join(out, 'appdata/ASP.NET/https/Api.pfx'))).toBe(true);
    await using kestrel = await startKestrel(app, {
      APPDATA: path.join(out, 'appdata'),
      ASPNETCORE_ENVIRONMENT: 'Development',
    });
    const served = await get(kestrel.url, path.join(out, 'ca.crt'));
    expect(served.body).toBe('hello from kestrel-app');
    expect(served.sha256).toBe(manifest(out).sha256);
  });

  it('lets one service call another over HTTPS, trusting the CA through SSL_CERT_FILE or SSL_CERT_DIR', async () => {
    const dir = tmp();
    const state = path.join(dir, 'state');
    init(['--output', path.join(dir, 'api'), '--state', state, '--hostnames', 'localhost,api']);
    init(['--output', path.join(dir, 'web'), '--state', state, '--hostnames', 'localhost,web']);
    const envOf = (svc: string) => parseEnvFile(fs.readFileSync(path.join(dir, svc, 'kestrel.env'), 'utf8'));
    await using api = await startKestrel(app, envOf('api'), 'api');
    const emptyBundle = path.join(dir, 'empty.crt');
    fs.writeFileSync(emptyBundle, fs.readFileSync(path.join(FIXTURES, 'mkcert-rootCA.pem')));
    const callUrl = (web: { url: string }) =>
      `${web.url.replace('127.0.0.1', 'localhost')}/call?url=${encodeURIComponent(`https://localhost:${api.port}/`)}`;
    const trustWeb = path.join(dir, 'web', 'ca.crt');
    {
      await using web = await startKestrel(
        app,
        {
          ...envOf('web'),
          SSL_CERT_FILE: path.join(dir, 'web', 'trust', 'ca-bundle.crt'),
          SSL_CERT_DIR: path.join(dir, 'nowhere'),
        },
        'web',
      );
      expect((await get(callUrl(web), trustWeb)).body).toBe('hello from api');
    }
    {
      await using web = await startKestrel(
        app,
        { ...envOf('web'), SSL_CERT_DIR: path.join(dir, 'web', 'trust', 'certs'), SSL_CERT_FILE: emptyBundle },
        'web',
      );
      expect((await get(callUrl(web), trustWeb)).body).toBe('hello from api');
    }
    {
      // The control: without our CA in the trust store the same call fails.
      await using web = await startKestrel(
        app,
        { ...envOf('web'), SSL_CERT_FILE: emptyBundle, SSL_CERT_DIR: path.join(dir, 'nowhere') },
        'web',
      );
      expect((await get(callUrl(web), trustWeb)).body).toMatch(/SSL connection could not be established/);
    }
  });

  it('serves a new source certificate after watch republishes it, no restart; probe --wait sees it', async () => {
    const dir = tmp();
    const src = path.join(dir, 'src');
    const out = path.join(dir, 'out');
    fs.mkdirSync(src);
    const put = (leaf: string) => {
      fs.writeFileSync(
        path.join(src, '.tmp'),
        Buffer.concat([
          fs.readFileSync(path.join(FIXTURES, `${leaf}.key`)),
          fs.readFileSync(path.join(FIXTURES, `${leaf}.crt`)),
          fs.readFileSync(path.join(FIXTURES, 'inter.crt')),
        ]),
      );
      fs.renameSync(path.join(src, '.tmp'), path.join(src, 'server.pem'));
    };
    put('rsa2048');
    const watch = spawn(
      process.execPath,
      [
        BIN,
        'watch',
        '--source',
        src,
        '--output',
        out,
        '--health-port',
        '0',
        '--owner',
        `${process.getuid!()}:${process.getgid!()}`,
      ],
      { env: cleanEnv(), stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 100 && !fs.existsSync(path.join(out, 'manifest.json')); i++)
        await new Promise((r) => setTimeout(r, 100));
      await using kestrel = await startKestrel(
        app,
        parseEnvFile(fs.readFileSync(path.join(out, 'kestrel.env'), 'utf8')),
        'kestrel-app',
        'config',
      );
      const before = manifest(out).sha256;
      expect((await get(kestrel.url, path.join(FIXTURES, 'root.crt'))).sha256).toBe(before);
      put('p256');
      const p256 = new crypto.X509Certificate(fs.readFileSync(path.join(FIXTURES, 'p256.crt'))).fingerprint256;
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          'probe',
          '--url',
          kestrel.url,
          '--expect-sha256',
          p256,
          '--ca',
          path.join(FIXTURES, 'root.crt'),
          '--wait',
          '10s',
          '--json',
        ],
        { env: cleanEnv(), encoding: 'utf8' },
      );
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, served: p256 });
      expect(manifest(out).sha256).toBe(p256);
    } finally {
      watch.kill('SIGTERM');
    }
  });
});
