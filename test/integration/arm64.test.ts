// The arm64 image, built on this amd64 machine and run under emulation (qemu through binfmt_misc):
// --version says arm64; `init` from a PFX publishes byte for byte what the amd64 CLI publishes from the
// same source, and a Kestrel on the host serves it; `init` generates too.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION, buildImage, runsArm64 } from '../../scripts/image.mjs';
import { containerEngine } from '../../scripts/engine.mjs';
import { BIN, ENABLE, FIXTURES, appVolume, cleanEnv, missing, missingAspNet, needsAll } from './support/env.js';
import { buildKestrelApp, startKestrel } from './support/kestrel.js';

const run = needsAll('arm64 image (under emulation)', [
  [missing('docker', ['info']), ENABLE.docker],
  [
    runsArm64() ? undefined : 'arm64 binaries cannot run here: qemu-aarch64 is not registered in binfmt_misc',
    ENABLE.arm64,
  ],
  [missingAspNet(), ENABLE.dotnet],
]);
const PASS = 'fixture-Pa55';
const PUBLISHED = ['tls.crt', 'tls.key', 'ca.crt', 'cert.pfx'];

const volume = () => appVolume('kcs-arm64-');

function docker(args: string[]) {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.runIf(run)('the arm64 image, under emulation', () => {
  let tag: string;
  beforeAll(() => {
    tag = buildImage({ platform: 'linux/arm64', log: console.log, engine: containerEngine('docker', { env: {} }) }).tag;
  }, 1_800_000);

  it('says it is arm64, with the tag <version>-arm64', () => {
    expect(tag).toBe(`kestrel-cert-sidecar:${VERSION}-arm64`);
    const r = docker(['run', '--rm', tag, '--version']);
    expect(r.out).toMatch(
      new RegExp(
        `^kestrel-cert-sidecar ${VERSION.replace(/\./g, '\\.')} \\(Node\\.js v24\\.\\d+\\.\\d+, linux-arm64\\)\\n$`,
      ),
    );
    expect(r.code).toBe(0);
  });

  it('publishes from a PFX what the amd64 CLI publishes, byte for byte; a Kestrel on the host serves it', async () => {
    const out = volume();
    const r = docker([
      'run',
      '--rm',
      '--read-only',
      '--cap-drop',
      'ALL',
      '-v',
      `${path.join(FIXTURES, 'openssl3-default.pfx')}:/certs/api.pfx:ro`,
      '-v',
      `${out}:/https`,
      '-e',
      'KCS_SOURCE=/certs',
      '-e',
      `KCS_PASSWORD=${PASS}`,
      tag,
      'init',
    ]);
    expect(r.out).toMatch(/^published \.\.\d{4}_/);
    expect(r.code).toBe(0);
    const host = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kcs-amd64-')), 'out');
    const h = spawnSync(
      process.execPath,
      [
        BIN,
        'init',
        '--source',
        path.join(FIXTURES, 'openssl3-default.pfx'),
        '--output',
        host,
        '--owner',
        `${process.getuid!()}:${process.getgid!()}`,
      ],
      { env: cleanEnv({ KCS_PASSWORD: PASS }), encoding: 'utf8' },
    );
    expect(h.status, h.stderr).toBe(0);
    for (const f of PUBLISHED)
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(host, f))), f).toBe(true);

    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    await using app = await startKestrel(
      buildKestrelApp(),
      {
        ASPNETCORE_Kestrel__Certificates__Default__Path: path.join(out, 'tls.crt'),
        ASPNETCORE_Kestrel__Certificates__Default__KeyPath: path.join(out, 'tls.key'),
      },
      'arm64-published',
    );
    const served = await new Promise<string>((resolve, reject) => {
      const s = tls.connect(
        {
          host: '127.0.0.1',
          port: app.port,
          servername: 'localhost',
          ca: fs.readFileSync(path.join(FIXTURES, 'root.crt')),
        },
        () => {
          resolve(s.getPeerCertificate().fingerprint256);
          s.end();
        },
      );
      s.on('error', reject);
    });
    expect(served).toBe(manifest.sha256);
  });

  it('generates a certificate under emulation that chains to its CA', () => {
    const out = volume();
    const r = docker([
      'run',
      '--rm',
      '--read-only',
      '--cap-drop',
      'ALL',
      '-v',
      `${out}:/https`,
      tag,
      'init',
      '--hostnames',
      'localhost,api',
    ]);
    expect(r.code).toBe(0);
    const leaf = new crypto.X509Certificate(fs.readFileSync(path.join(out, 'tls.crt')));
    const ca = new crypto.X509Certificate(fs.readFileSync(path.join(out, 'ca.crt')));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(path.join(out, 'tls.key'))))).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, DNS:api');
  });
});
